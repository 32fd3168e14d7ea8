package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/hunting"
)

// Connectors lists the connectors and their status.
func (c *Client) Connectors(ctx context.Context) ([]connector.Status, error) {
	var out struct {
		Value []connector.Status `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/connectors", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// Connector returns one connector's status.
func (c *Client) Connector(ctx context.Context, id string) (connector.Status, error) {
	var out connector.Status
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/connectors/" + url.PathEscape(id), want: http.StatusOK}, nil, &out)
	return out, err
}

// SetConnector enables or disables data types of a connector (all when
// none is named).
func (c *Client) SetConnector(ctx context.Context, id string, dataTypes []string, on bool) (connector.Status, error) {
	verb := "/disable"
	if on {
		verb = "/enable"
	}
	var out connector.Status
	body := struct {
		DataTypes []string `json:"dataTypes,omitempty"`
	}{dataTypes}
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/connectors/" + url.PathEscape(id) + verb, want: http.StatusOK}, body, &out)
	return out, err
}

// Doctor checks the enabled connectors.
func (c *Client) Doctor(ctx context.Context) (connector.Report, error) {
	var out connector.Report
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/doctor", want: http.StatusOK}, nil, &out)
	return out, err
}

// Solutions lists the content hub's solutions.
func (c *Client) Solutions(ctx context.Context) ([]content.State, error) {
	var out struct {
		Value []content.State `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/content", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// Solution returns one solution's state.
func (c *Client) Solution(ctx context.Context, name string) (content.State, error) {
	var out content.State
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/content/" + url.PathEscape(name), want: http.StatusOK}, nil, &out)
	return out, err
}

// InstallSolution installs (install true) or uninstalls a solution.
func (c *Client) InstallSolution(ctx context.Context, name string, install bool) (content.State, error) {
	verb := "/uninstall"
	if install {
		verb = "/install"
	}
	var out content.State
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/content/" + url.PathEscape(name) + verb, want: http.StatusOK}, nil, &out)
	return out, err
}

// HuntingQueries lists the saved hunting queries.
func (c *Client) HuntingQueries(ctx context.Context) ([]hunting.Query, error) {
	var out struct {
		Value []hunting.Query `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/hunting", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// HuntingQuery returns one saved hunting query.
func (c *Client) HuntingQuery(ctx context.Context, id string) (hunting.Query, error) {
	var out hunting.Query
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/hunting/" + url.PathEscape(id), want: http.StatusOK}, nil, &out)
	return out, err
}
