"""The partner registry: partners added at run time (admin API, `crossdock partners`), their
onboarding (draft → testing → live → suspended), certification samples and the checklist
that gates going live. Partners named in ``crossdock.yaml`` stay authoritative for their
names; see `crossdock.hub.partners.directory`."""
