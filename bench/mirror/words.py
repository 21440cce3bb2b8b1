"""Word lists the corpus generator draws names from (none clash with Go keywords, std packages or the generated API)."""

MODULES = """
abacus acorn almanac anchor apex arbor atlas aurora bastion beacon bellows bramble
canopy cascade cedar cinder citadel clover cobalt comet compass conduit copper coral
cypress delta dune ember falcon fathom fern fjord flint forge garnet glacier granite
harbor hearth heron horizon indigo iris ivory jasper juniper kestrel lagoon lantern
ledger lichen lotus lumen magnet maple marble meadow meridian mesa nebula nectar
nimbus oasis obsidian onyx orchid osprey pebble pewter pinnacle plume prairie quarry
quartz quill raven reef ridge river saffron sage sequoia sierra summit tandem thistle
timber topaz tundra umber vale vector verdant willow zenith zephyr
""".split()

SUBPACKAGES = """
model storage codec api query metrics cache auth events schema policy billing routing audit
""".split()

ENTITIES = """
Account Invoice Shipment Customer Order Payment Ticket Session Device Tenant Project Release
Report Budget Contract Vendor Warehouse Parcel Route Driver Vehicle Booking Room Guest Review
Coupon Basket Product Variant Supplier Campaign Subscriber Channel Message Thread Attachment
Policy Claim Asset Ledger Entry Transfer Quota Alert Incident Runbook Deployment Cluster Node
Volume Snapshot Backup Job Task Worker Schedule Metric Sample Label Segment
""".split()

CHANGES = [
    "initial release",
    "faster sorting of records",
    "stricter validation of tags",
    "JSON errors carry the field name",
    "handlers reject unknown methods",
    "stores keep insertion order",
    "scores weigh active records",
    "merge keeps existing attributes",
]

LICENSE = """Copyright 2024 The bench authors.

Permission is hereby granted, free of charge, to any person obtaining a copy of this
generated benchmark module, to deal in it without restriction. It is provided "as is",
without warranty of any kind.
"""
