// Command api is the benchmark's example with the dependency weight of a real service
// (conf/corpus/realistic.yaml: 115 modules, about 100 MB of module zips). It serves the
// handlers of the generated corpus modules it imports (see corpus_gen.go); with -healthcheck
// it exits 0 at once, so a benchmark can time process start-up.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"sort"
	"time"
)

// component is one corpus module as the service mounts it.
type component struct {
	Name     string
	Version  string
	Describe func() string
	Weight   func(int) int
	Routes   func(*http.ServeMux, string)
}

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	healthcheck := flag.Bool("healthcheck", false, "exit 0 at once (measures process start-up)")
	flag.Parse()
	if *healthcheck {
		os.Exit(0)
	}
	srv := &http.Server{Addr: *addr, Handler: newMux(), ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on %s with %d components", *addr, len(components))
	log.Fatal(srv.ListenAndServe())
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/versions", handleVersions)
	for _, c := range components {
		c.Routes(mux, "/"+c.Name)
	}
	return mux
}

func handleVersions(w http.ResponseWriter, _ *http.Request) {
	type entry struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Weight  int    `json:"weight"`
	}
	out := make([]entry, 0, len(components))
	for _, c := range components {
		out = append(out, entry{c.Name, c.Version, c.Weight(len(c.Name))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
