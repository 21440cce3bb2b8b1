module example.com/bench/hello

go 1.23
