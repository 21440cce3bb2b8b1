# An alpine-like runtime: a static busybox, CA certificates and the users distroless has (root, nonroot 65532,
# nobody), nothing else (about 2-3 MB). It stands in for distroless and busybox images offline.
FROM bench-base/debian:bookworm AS fetch
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox-static ca-certificates \
 && mkdir -p /out/bin /out/etc/ssl/certs /out/tmp /out/root \
 && cp /bin/busybox /out/bin/busybox \
 && for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -s busybox "/out/bin/$app"; done \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > /out/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\nnogroup:x:65534:\n' > /out/etc/group \
 && mkdir -p /out/home/nonroot && chown 65532:65532 /out/home/nonroot \
 && chmod 1777 /out/tmp

FROM scratch
COPY --from=fetch /out/ /
# The usual PATH, as in distroless and Debian, so binaries in /usr/local/bin are found.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["/bin/sh"]
