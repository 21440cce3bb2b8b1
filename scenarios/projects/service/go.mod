module example.com/bench/service

go 1.23

require (
	example.com/corpus/medium-2ffbe0/bastion v1.2.0
	example.com/corpus/medium-2ffbe0/cinder v1.2.0
	example.com/corpus/medium-2ffbe0/clover v1.2.0
	example.com/corpus/medium-2ffbe0/flint v1.2.0
	example.com/corpus/medium-2ffbe0/obsidian v1.2.0
)

require (
	example.com/corpus/medium-2ffbe0/UmberKit v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/abacus v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/anchor v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/canopy v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/cascade v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/dune v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/fathom v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/garnet v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/horizon v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/lantern v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/ledger v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/marble v1.0.0 // indirect
	example.com/corpus/medium-2ffbe0/meridian v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/nectar v1.2.0 // indirect
	example.com/corpus/medium-2ffbe0/oasis v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/ridge v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/sierra v1.1.0 // indirect
	example.com/corpus/medium-2ffbe0/summit v1.1.0 // indirect
)
