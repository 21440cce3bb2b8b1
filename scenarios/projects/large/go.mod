module example.com/bench/large

go 1.23

require (
	example.com/corpus/large-c8b277/bastion v1.2.0
	example.com/corpus/large-c8b277/cinder v1.2.0
	example.com/corpus/large-c8b277/clover v1.2.0
	example.com/corpus/large-c8b277/flint v1.2.0
	example.com/corpus/large-c8b277/meridian v1.2.0
	example.com/corpus/large-c8b277/nectar v1.2.0
	example.com/corpus/large-c8b277/obsidian v1.2.0
)

require (
	example.com/corpus/large-c8b277/SaffronKit v1.0.0 // indirect
	example.com/corpus/large-c8b277/abacus v1.2.0 // indirect
	example.com/corpus/large-c8b277/acorn v1.1.0 // indirect
	example.com/corpus/large-c8b277/almanac v1.1.0 // indirect
	example.com/corpus/large-c8b277/anchor v1.1.0 // indirect
	example.com/corpus/large-c8b277/cascade v1.1.0 // indirect
	example.com/corpus/large-c8b277/cedar v1.1.0 // indirect
	example.com/corpus/large-c8b277/cobalt v1.1.0 // indirect
	example.com/corpus/large-c8b277/copper v1.2.0 // indirect
	example.com/corpus/large-c8b277/dune v1.1.0 // indirect
	example.com/corpus/large-c8b277/ember v1.2.0 // indirect
	example.com/corpus/large-c8b277/falcon v1.1.0 // indirect
	example.com/corpus/large-c8b277/fathom v1.2.0 // indirect
	example.com/corpus/large-c8b277/fjord v1.0.0 // indirect
	example.com/corpus/large-c8b277/glacier v1.2.0 // indirect
	example.com/corpus/large-c8b277/horizon v1.1.0 // indirect
	example.com/corpus/large-c8b277/ivory v1.2.0 // indirect
	example.com/corpus/large-c8b277/lantern v1.2.0 // indirect
	example.com/corpus/large-c8b277/ledger v1.2.0 // indirect
	example.com/corpus/large-c8b277/maple v1.2.0 // indirect
	example.com/corpus/large-c8b277/marble v1.2.0 // indirect
	example.com/corpus/large-c8b277/oasis v1.2.0 // indirect
	example.com/corpus/large-c8b277/pebble v1.2.0 // indirect
	example.com/corpus/large-c8b277/pewter v1.2.0 // indirect
	example.com/corpus/large-c8b277/pinnacle v1.1.0 // indirect
	example.com/corpus/large-c8b277/plume v1.2.0 // indirect
	example.com/corpus/large-c8b277/raven v1.2.0 // indirect
	example.com/corpus/large-c8b277/ridge v1.2.0 // indirect
	example.com/corpus/large-c8b277/sage v1.2.0 // indirect
	example.com/corpus/large-c8b277/sierra v1.2.0 // indirect
	example.com/corpus/large-c8b277/thistle v1.2.0 // indirect
	example.com/corpus/large-c8b277/timber v1.2.0 // indirect
	example.com/corpus/large-c8b277/topaz v1.2.0 // indirect
	example.com/corpus/large-c8b277/tundra v1.2.0 // indirect
	example.com/corpus/large-c8b277/umber v1.2.0 // indirect
	example.com/corpus/large-c8b277/vale v1.1.0 // indirect
	example.com/corpus/large-c8b277/zenith v1.1.0 // indirect
)
