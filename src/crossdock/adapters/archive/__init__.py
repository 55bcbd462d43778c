"""Archives of pruned records: gzip-compressed NDJSON files (`ndjson.NdjsonArchive`)."""
