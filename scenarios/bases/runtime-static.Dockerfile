# An alpine-like runtime: a static busybox, CA certificates and a nobody user, nothing else (about 2-3 MB).
FROM bench-base/debian:bookworm AS fetch
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && mkdir -p /out/bin /out/etc/ssl/certs /out/tmp /out/root \
 && cp /bin/busybox /out/bin/busybox \
 && for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -s busybox "/out/bin/$app"; done \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > /out/etc/passwd \
 && printf 'root:x:0:\nnogroup:x:65534:\n' > /out/etc/group \
 && chmod 1777 /out/tmp

FROM scratch
COPY --from=fetch /out/ /
ENV PATH=/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["/bin/sh"]
