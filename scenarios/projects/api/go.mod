module example.com/bench/api

go 1.23

require (
	example.com/corpus/realistic-90e96a/abacus v1.0.0
	example.com/corpus/realistic-90e96a/acorn v1.0.0
	example.com/corpus/realistic-90e96a/almanac v1.0.0
	example.com/corpus/realistic-90e96a/anchor v1.0.0
	example.com/corpus/realistic-90e96a/bastion v1.0.0
	example.com/corpus/realistic-90e96a/canopy v1.0.0
	example.com/corpus/realistic-90e96a/cascade v1.0.0
	example.com/corpus/realistic-90e96a/cedar v1.0.0
	example.com/corpus/realistic-90e96a/cinder v1.0.0
	example.com/corpus/realistic-90e96a/clover v1.0.0
	example.com/corpus/realistic-90e96a/dune v1.0.0
	example.com/corpus/realistic-90e96a/ember v1.0.0
	example.com/corpus/realistic-90e96a/falcon v1.0.0
	example.com/corpus/realistic-90e96a/fathom v1.0.0
	example.com/corpus/realistic-90e96a/fjord v1.0.0
	example.com/corpus/realistic-90e96a/flint v1.0.0
	example.com/corpus/realistic-90e96a/garnet v1.0.0
	example.com/corpus/realistic-90e96a/glacier v1.0.0
	example.com/corpus/realistic-90e96a/horizon v1.0.0
	example.com/corpus/realistic-90e96a/lantern v1.0.0
	example.com/corpus/realistic-90e96a/ledger v1.0.0
	example.com/corpus/realistic-90e96a/maple v1.0.0
	example.com/corpus/realistic-90e96a/marble v1.0.0
	example.com/corpus/realistic-90e96a/meridian v1.0.0
	example.com/corpus/realistic-90e96a/nectar v1.0.0
	example.com/corpus/realistic-90e96a/oasis v1.0.0
	example.com/corpus/realistic-90e96a/obsidian v1.0.0
	example.com/corpus/realistic-90e96a/pebble v1.0.0
	example.com/corpus/realistic-90e96a/pinnacle v1.0.0
	example.com/corpus/realistic-90e96a/plume v1.0.0
	example.com/corpus/realistic-90e96a/quarry v1.0.0
	example.com/corpus/realistic-90e96a/ridge v1.0.0
	example.com/corpus/realistic-90e96a/sierra v1.0.0
	example.com/corpus/realistic-90e96a/summit v1.0.0
	example.com/corpus/realistic-90e96a/timber v1.0.0
	example.com/corpus/realistic-90e96a/tundra v1.0.0
	example.com/corpus/realistic-90e96a/umber v1.0.0
	example.com/corpus/realistic-90e96a/vale v1.0.0
)

require (
	example.com/corpus/realistic-90e96a/Abacus18Kit v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/acorn2 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/apex v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/arbor v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/atlas v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/aurora v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/beacon v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/bellows v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/bramble v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/citadel v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/cobalt v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/comet v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/compass v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/conduit v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/copper v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/coral v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/cypress v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/delta v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/delta3 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/fathom1 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/fathom6 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/fern v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/forge v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/garnet13 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/granite v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/harbor v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/hearth v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/heron v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/indigo v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/iris v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/ivory v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/jasper v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/jasper9 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/juniper v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/juniper11 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/kestrel v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/lagoon v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/ledger19 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/lichen v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/lotus v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/lotus7 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/lumen v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/magnet v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/meadow v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/mesa v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/mesa12 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/nebula v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/nimbus v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/onyx v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/onyx0 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/orchid v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/orchid8 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/osprey v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/pewter v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/pinnacle4 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/plume15 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/plume5 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/prairie v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/quartz v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/quartz10 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/quill v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/raven v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/reef v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/ridge16 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/river v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/saffron v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/sage v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/sequoia v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/tandem v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/tandem14 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/thistle v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/topaz v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/vector v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/verdant v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/willow v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/willow17 v1.0.0 // indirect
	example.com/corpus/realistic-90e96a/zephyr v1.0.0 // indirect
)
