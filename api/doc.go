// Package api serves a workspace over HTTP: the Log Analytics query API,
// the Azure Monitor Logs Ingestion API, the HTTP Data Collector API, and
// Goshawk's own administration endpoints, all behind bearer-token
// authentication with roles (package auth).
//
// # Routes
//
//	GET|POST /v1/workspaces/{workspaceId}/query          reader and up
//	POST /dataCollectionRules/{ruleId}/streams/{stream}  ingestor, contributor, owner
//	POST /api/logs                                       SharedKey signature (Data Collector API)
//	GET  /v1/workspace                                   reader and up
//	GET  /v1/workspace/sharedKeys                        owner
//	GET|POST /v1/tokens, DELETE /v1/tokens/{id}          owner
//	GET /v1/tables[/{name}], PUT /v1/tables/{name}       reader / contributor
//	GET|PUT|DELETE /v1/dataCollectionRules[/{id}]        reader / contributor
//	GET /healthz                                         anyone
//
// Request and error shapes follow the Azure services the routes mimic, so
// that their official SDK clients work unchanged; the administration
// endpoints use the same error shape. Every failed authentication is
// logged with the remote address and the reason, never the credential.
package api
