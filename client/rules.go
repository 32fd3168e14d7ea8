package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/rules"
)

// ImportAnalytics imports rule files (Sentinel YAML or ARM JSON); hunting
// queries among them are saved as hunting queries. One result per
// definition.
func (c *Client) ImportAnalytics(ctx context.Context, files []rules.File) ([]analytics.Result, error) {
	var out struct {
		Value []analytics.Result `json:"value"`
	}
	body := struct {
		Files []rules.File `json:"files"`
	}{files}
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/rules/import", want: http.StatusOK}, body, &out)
	return out.Value, err
}

// AnalyticsRules lists the analytics rules with their state.
func (c *Client) AnalyticsRules(ctx context.Context) ([]rules.Status, error) {
	var out struct {
		Value []rules.Status `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/rules", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// AnalyticsRule returns one rule with its state.
func (c *Client) AnalyticsRule(ctx context.Context, id string) (rules.Status, error) {
	var out rules.Status
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/rules/" + url.PathEscape(id), want: http.StatusOK}, nil, &out)
	return out, err
}

// ExportAnalyticsRule returns a rule as Sentinel YAML.
func (c *Client) ExportAnalyticsRule(ctx context.Context, id string) ([]byte, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/rules/" + url.PathEscape(id) + "/export", want: http.StatusOK})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// SetAnalyticsRuleEnabled enables or disables a rule.
func (c *Client) SetAnalyticsRuleEnabled(ctx context.Context, id string, on bool) (rules.Status, error) {
	verb := "/disable"
	if on {
		verb = "/enable"
	}
	var out rules.Status
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/rules/" + url.PathEscape(id) + verb, want: http.StatusOK}, nil, &out)
	return out, err
}

// DeleteAnalyticsRule deletes a rule.
func (c *Client) DeleteAnalyticsRule(ctx context.Context, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/v1/rules/" + url.PathEscape(id), want: http.StatusNoContent}, nil, nil)
}

// TestAnalyticsRule backtests a rule over [from, to).
func (c *Client) TestAnalyticsRule(ctx context.Context, id string, from, to time.Time) (rules.Backtest, error) {
	var out rules.Backtest
	body := struct {
		From time.Time `json:"from"`
		To   time.Time `json:"to"`
	}{from, to}
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/rules/" + url.PathEscape(id) + "/test", want: http.StatusOK}, body, &out)
	return out, err
}
