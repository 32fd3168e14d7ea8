package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/goshawk-sec/goshawk/result"
)

// queryRequest is the body of the query API.
type queryRequest struct {
	Query    string `json:"query"`
	Timespan string `json:"timespan,omitempty"`
}

// Query runs a KQL query. timespan, when not empty, restricts the tables
// to an ISO 8601 duration ending now ("P1D") or an interval
// ("2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"), as the Log Analytics
// query API's parameter does. A result cut at the server's limits comes
// back with Truncated set; a query the server refuses is an *Error whose
// innermost error locates the problem.
func (c *Client) Query(ctx context.Context, text, timespan string) (*result.Set, error) {
	id, err := c.WorkspaceID(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/workspaces/" + url.PathEscape(id) + "/query", want: http.StatusOK},
		queryRequest{Query: text, Timespan: timespan})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	set, err := result.ReadJSON(resp.Body)
	if err != nil {
		var ei *result.ErrorInfo
		if errors.As(err, &ei) {
			return nil, fromResultError(resp.StatusCode, ei)
		}
		return nil, err
	}
	return set, nil
}
