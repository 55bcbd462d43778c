"""X12 in the hub: intake of interchanges, acknowledgments both ways, outbound rendering."""
