package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/goshawk-sec/goshawk/incidents"
)

func incidentPath(number int64) string {
	return "/v1/incidents/" + strconv.FormatInt(number, 10)
}

// Incidents lists the incidents f selects, newest first.
func (c *Client) Incidents(ctx context.Context, f incidents.Filter) ([]incidents.Incident, error) {
	q := url.Values{}
	for _, s := range f.Statuses {
		q.Add("status", s)
	}
	for _, s := range f.Severities {
		q.Add("severity", s)
	}
	if f.Owner != "" {
		q.Set("owner", f.Owner)
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339Nano))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct {
		Value []incidents.Incident `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/incidents", query: q, want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// Incident returns one incident.
func (c *Client) Incident(ctx context.Context, number int64) (incidents.Incident, error) {
	var out incidents.Incident
	err := c.call(ctx, request{method: http.MethodGet, path: incidentPath(number), want: http.StatusOK}, nil, &out)
	return out, err
}

// UpdateIncident changes an incident (the token's name is recorded as
// who changed it) and returns it.
func (c *Client) UpdateIncident(ctx context.Context, number int64, u incidents.Update) (incidents.Incident, error) {
	var out incidents.Incident
	err := c.call(ctx, request{method: http.MethodPatch, path: incidentPath(number), want: http.StatusOK}, u, &out)
	return out, err
}

// CommentIncident adds a comment to an incident and returns it.
func (c *Client) CommentIncident(ctx context.Context, number int64, message string) (incidents.Comment, error) {
	var out incidents.Comment
	body := struct {
		Message string `json:"message"`
	}{message}
	err := c.call(ctx, request{method: http.MethodPost, path: incidentPath(number) + "/comments", want: http.StatusCreated}, body, &out)
	return out, err
}

// IncidentAlerts returns an incident's alerts.
func (c *Client) IncidentAlerts(ctx context.Context, number int64) ([]incidents.Alert, error) {
	var out struct {
		Value []incidents.Alert `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: incidentPath(number) + "/alerts", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// IncidentEntities returns the entities of an incident's alerts.
func (c *Client) IncidentEntities(ctx context.Context, number int64) ([]incidents.Entity, error) {
	var out struct {
		Value []incidents.Entity `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: incidentPath(number) + "/entities", want: http.StatusOK}, nil, &out)
	return out.Value, err
}
