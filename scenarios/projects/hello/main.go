// Command hello is the benchmark's smallest project: no dependencies, one package.
// With -healthcheck it exits 0 at once, like the other example projects.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "exit 0 at once (measures process start-up)")
	flag.Parse()
	if *healthcheck {
		os.Exit(0)
	}
	fmt.Println("hello from the bench example project")
}
