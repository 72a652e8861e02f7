"""The weekly collection loop (Llama 2, section 3.2.1): sample two responses per prompt from two
model variants at varying temperatures, annotate them on the collect page (choice, 4-level degree,
per-response safety), ingest the verdicts as PreferenceRecords, and report on the batch.

The packet's files are described in curate.collect.packet. Nothing here imports torch until a
model is sampled.
"""
