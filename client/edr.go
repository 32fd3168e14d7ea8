package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/edr"
)

// CreateOnboarding issues an onboarding package (owners only). An empty
// ServerURL means this client's server URL.
func (c *Client) CreateOnboarding(ctx context.Context, req edr.OnboardingRequest) (agentproto.OnboardingPackage, error) {
	if req.ServerURL == "" {
		req.ServerURL = c.URL()
	}
	var pkg agentproto.OnboardingPackage
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/onboarding", want: http.StatusCreated}, req, &pkg)
	return pkg, err
}

// Devices lists the devices f selects.
func (c *Client) Devices(ctx context.Context, f edr.DeviceFilter) ([]edr.Device, error) {
	q := url.Values{}
	for k, v := range map[string]string{"name": f.Name, "health": f.Health, "os": f.OS} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !f.SeenAfter.IsZero() {
		q.Set("lastSeenAfter", f.SeenAfter.UTC().Format(time.RFC3339Nano))
	}
	var out struct {
		Value []edr.Device `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/devices", query: q, want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// Device returns one device by id or name.
func (c *Client) Device(ctx context.Context, idOrName string) (edr.Device, error) {
	var d edr.Device
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/devices/" + url.PathEscape(idOrName), want: http.StatusOK}, nil, &d)
	return d, err
}

// Timeline returns a page of a device's events, newest first.
func (c *Client) Timeline(ctx context.Context, idOrName string, tq edr.TimelineQuery) (edr.Timeline, error) {
	q := url.Values{}
	if !tq.From.IsZero() {
		q.Set("from", tq.From.UTC().Format(time.RFC3339Nano))
	}
	if !tq.To.IsZero() {
		q.Set("to", tq.To.UTC().Format(time.RFC3339Nano))
	}
	if tq.Type != "" {
		q.Set("type", tq.Type)
	}
	if tq.Limit != 0 {
		q.Set("limit", strconv.Itoa(tq.Limit))
	}
	if tq.Skip != 0 {
		q.Set("skip", strconv.Itoa(tq.Skip))
	}
	var tl edr.Timeline
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/devices/" + url.PathEscape(idOrName) + "/timeline", query: q, want: http.StatusOK}, nil, &tl)
	return tl, err
}

// CreateAction queues a response action (responders and up).
func (c *Client) CreateAction(ctx context.Context, idOrName string, req edr.ActionRequest) (edr.Action, error) {
	var a edr.Action
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/devices/" + url.PathEscape(idOrName) + "/actions", want: http.StatusCreated}, req, &a)
	return a, err
}

// Action returns one action.
func (c *Client) Action(ctx context.Context, id string) (edr.Action, error) {
	var a edr.Action
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/actions/" + url.PathEscape(id), want: http.StatusOK}, nil, &a)
	return a, err
}

// Actions lists a device's actions, newest first.
func (c *Client) Actions(ctx context.Context, idOrName string) ([]edr.Action, error) {
	var out struct {
		Value []edr.Action `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/devices/" + url.PathEscape(idOrName) + "/actions", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// DownloadPackage writes the file a device uploaded for an action to w.
func (c *Client) DownloadPackage(ctx context.Context, id string, w io.Writer) error {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/actions/" + url.PathEscape(id) + "/package", want: http.StatusOK})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// Indicators lists the custom indicators.
func (c *Client) Indicators(ctx context.Context) ([]agentproto.Indicator, error) {
	var out struct {
		Value []agentproto.Indicator `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/indicators", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// CreateIndicator adds or replaces an indicator (contributors and up).
func (c *Client) CreateIndicator(ctx context.Context, in agentproto.Indicator) (agentproto.Indicator, error) {
	var out agentproto.Indicator
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/indicators", want: http.StatusOK}, in, &out)
	return out, err
}

// DeleteIndicator removes an indicator.
func (c *Client) DeleteIndicator(ctx context.Context, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/v1/indicators/" + url.PathEscape(id), want: http.StatusNoContent}, nil, nil)
}

// Offboard offboards a device (owners only): its certificate is refused
// from then on.
func (c *Client) Offboard(ctx context.Context, idOrName string) error {
	return c.call(ctx, request{method: http.MethodPost, path: "/v1/devices/" + url.PathEscape(idOrName) + "/offboard", want: http.StatusNoContent}, nil, nil)
}

// EnrollmentTokens lists the enrollment tokens of onboarding packages
// (owners only).
func (c *Client) EnrollmentTokens(ctx context.Context) ([]edr.EnrollmentToken, error) {
	var out struct {
		Value []edr.EnrollmentToken `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/onboarding", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// RevokeEnrollmentToken stops an onboarding package enrolling devices.
func (c *Client) RevokeEnrollmentToken(ctx context.Context, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/v1/onboarding/" + url.PathEscape(id), want: http.StatusNoContent}, nil, nil)
}
