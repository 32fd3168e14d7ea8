package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The HTTP Data Collector API as Azure documents it: POST /api/logs with
// the record type in Log-Type, signed with the workspace's shared key:
//
//	Authorization: SharedKey <WorkspaceID>:<Base64(HMAC-SHA256(key, StringToSign))>
//	StringToSign = "POST\n" + Content-Length + "\napplication/json\nx-ms-date:" + x-ms-date + "\n/api/logs"

const dataCollectorPath = "/api/logs?api-version=2016-04-01"

// sharedKey fetches the workspace's primary shared key as the owner, as
// Azure's workspaces/sharedKeys answers it. ok is false when the server
// has no such route.
func (s *server) sharedKey(t *testing.T) (key []byte, ok bool) {
	t.Helper()
	r := s.do(t, request{method: "GET", path: "/v1/workspace/sharedKeys", token: s.ws.tokens["owner"]})
	if r.Status == http.StatusNotFound {
		return nil, false
	}
	if r.Status != http.StatusOK {
		t.Fatalf("GET /v1/workspace/sharedKeys: HTTP %d: %s", r.Status, r.Body)
	}
	var keys struct {
		Primary string `json:"primarySharedKey"`
	}
	if err := json.Unmarshal(r.Body, &keys); err != nil || keys.Primary == "" {
		t.Fatalf("GET /v1/workspace/sharedKeys: no primarySharedKey (%v): %s", err, r.Body)
	}
	key, err := base64.StdEncoding.DecodeString(keys.Primary)
	if err != nil {
		t.Fatalf("the primary shared key is not base64: %v", err)
	}
	return key, true
}

// signDataCollector returns the Authorization header for a Data Collector
// request.
func signDataCollector(workspaceID string, key []byte, date string, contentLength int) string {
	msg := "POST\n" + strconv.Itoa(contentLength) + "\napplication/json\nx-ms-date:" + date + "\n/api/logs"
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return "SharedKey " + workspaceID + ":" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// postDataCollector sends records of logType signed with key; extra
// headers (time-generated-field) are added as given.
func (s *server) postDataCollector(t *testing.T, key []byte, logType string, body []byte, extra map[string]string) response {
	t.Helper()
	date := time.Now().UTC().Format(http.TimeFormat)
	hdr := map[string]string{
		"Log-Type":      logType,
		"x-ms-date":     date,
		"Authorization": signDataCollector(s.ID, key, date, len(body)),
	}
	for k, v := range extra {
		hdr[k] = v
	}
	return s.do(t, request{method: "POST", path: dataCollectorPath, body: body, header: hdr})
}
