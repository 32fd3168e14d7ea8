package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// gzipAbove is the body size from which Upload compresses: the server's
// body limit applies to the bytes as sent.
const gzipAbove = 32 << 10

// Upload sends body, a JSON array of rows, to stream of the data
// collection rule ruleID through the Logs Ingestion API. It returns once
// the server has made the rows durable. A full ingestion queue (429) or a
// server shutting down (503) is retried after the delay the server asks
// for, as Options.UploadRetries allows.
func (c *Client) Upload(ctx context.Context, ruleID, stream string, body []byte) error {
	rq := request{
		method: http.MethodPost,
		path:   "/dataCollectionRules/" + url.PathEscape(ruleID) + "/streams/" + url.PathEscape(stream),
		query:  url.Values{"api-version": {"2023-01-01"}},
		header: http.Header{"Content-Type": {"application/json"}},
		body:   body,
		want:   http.StatusNoContent,
	}
	if len(body) >= gzipAbove {
		rq.body = gzipBody(body)
		rq.header.Set("Content-Encoding", "gzip")
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.do(ctx, rq)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		var e *Error
		if attempt >= c.retries || !errors.As(err, &e) || e.wait == 0 {
			return err
		}
		t := time.NewTimer(e.wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
