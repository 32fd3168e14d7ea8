// Package alerts is the SIEM's alert as Sentinel stores it: one
// SecurityAlert row per alert, whose Entities column is Sentinel's entity
// JSON — an array of objects with a "$id", a lower-case "Type" (host,
// account, process, file, filehash, ip, url, dns, …) and the entity's
// properties, where an entity refers to another one as {"$ref": "N"}.
//
// Every producer of alerts builds an Alert and writes Alert.Row: the
// endpoint connector (alerts the sensors raised, mapped as Sentinel's
// Defender connector maps Defender's) and the analytics rules (alerts a
// KQL rule raised, with entities from its entity mappings). Queries and
// analytics rules then read SecurityAlert like any other table.
package alerts
