"""The OpenAPI reading layer, just above core: operations and their kinds, server prefixes,
local ``$ref`` resolution, the 3.0 -> 3.1 upgrade, schema walking and binary fields, and the
video-job vocabulary. Every stage that reads a spec reads it through here."""
