package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/workspace"
)

// Info describes the workspace (without its data directory, which the
// server keeps to itself).
func (c *Client) Info(ctx context.Context) (workspace.Info, error) {
	var info workspace.Info
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/workspace", want: http.StatusOK}, nil, &info)
	if err == nil && info.ID != "" {
		c.mu.Lock()
		c.wsID = info.ID
		c.mu.Unlock()
	}
	return info, err
}

// WorkspaceID returns the workspace GUID, read from the server once.
func (c *Client) WorkspaceID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.wsID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	info, err := c.Info(ctx)
	if err != nil {
		return "", err
	}
	if info.ID == "" {
		return "", errors.New("GET /v1/workspace: the answer has no workspaceId")
	}
	return info.ID, nil
}

// SharedKey returns the key that signs HTTP Data Collector API requests
// (owners only).
func (c *Client) SharedKey(ctx context.Context) ([]byte, error) {
	var keys struct {
		Primary string `json:"primarySharedKey"`
	}
	if err := c.call(ctx, request{method: http.MethodGet, path: "/v1/workspace/sharedKeys", want: http.StatusOK}, nil, &keys); err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(keys.Primary)
	if err != nil || len(key) == 0 {
		return nil, errors.New("GET /v1/workspace/sharedKeys: the answer holds no base64 primarySharedKey")
	}
	return key, nil
}

// CreateToken issues a token with role and returns its secret, which the
// server shows only this once.
func (c *Client) CreateToken(ctx context.Context, role auth.Role, name string) (string, auth.Token, error) {
	var out api.CreatedToken
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/tokens", want: http.StatusCreated},
		api.CreateTokenRequest{Role: string(role), Name: name}, &out)
	if err != nil {
		return "", auth.Token{}, err
	}
	return out.Secret, out.Token, nil
}

// Tokens lists the tokens in force, oldest first.
func (c *Client) Tokens(ctx context.Context) ([]auth.Token, error) {
	var out struct {
		Value []auth.Token `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/tokens", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// RevokeToken withdraws the token with the given id or name.
func (c *Client) RevokeToken(ctx context.Context, idOrName string) (auth.Token, error) {
	var t auth.Token
	err := c.call(ctx, request{method: http.MethodDelete, path: "/v1/tokens/" + url.PathEscape(idOrName), want: http.StatusOK}, nil, &t)
	return t, err
}

// Tables lists every table (without columns) and its retention.
func (c *Client) Tables(ctx context.Context) ([]workspace.TableInfo, error) {
	var out struct {
		Value []workspace.TableInfo `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/tables", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// TableInfo describes one table.
func (c *Client) TableInfo(ctx context.Context, name string) (workspace.TableInfo, error) {
	var t workspace.TableInfo
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/tables/" + url.PathEscape(name), want: http.StatusOK}, nil, &t)
	return t, err
}

// CreateTable creates a custom table, or adds the columns an existing one
// lacks.
func (c *Client) CreateTable(ctx context.Context, def workspace.TableDef) (workspace.TableInfo, error) {
	if len(def.Columns) == 0 {
		// The API reads a body without columns as a retention change.
		return workspace.TableInfo{}, fmt.Errorf("custom table %s: no columns given", def.Name)
	}
	var t workspace.TableInfo
	err := c.call(ctx, request{method: http.MethodPut, path: "/v1/tables/" + url.PathEscape(def.Name), want: http.StatusOK}, def, &t)
	return t, err
}

// SetRetention sets how many days rows of a table are kept.
func (c *Client) SetRetention(ctx context.Context, table string, days int) error {
	if days < 1 || days > workspace.MaxRetentionDays {
		return fmt.Errorf("retention of %s: %d days is out of range (1 to %d)", table, days, workspace.MaxRetentionDays)
	}
	body := struct {
		Days int `json:"retentionInDays"`
	}{days}
	return c.call(ctx, request{method: http.MethodPut, path: "/v1/tables/" + url.PathEscape(table), want: http.StatusOK}, body, nil)
}

// PutRule creates or replaces the data collection rule r.ID.
func (c *Client) PutRule(ctx context.Context, r *ingest.Rule) error {
	if r.ID == "" {
		return errors.New("data collection rule: no id (immutableId)")
	}
	return c.call(ctx, request{method: http.MethodPut, path: "/v1/dataCollectionRules/" + url.PathEscape(r.ID), want: http.StatusOK}, r, nil)
}

// Rule returns a data collection rule.
func (c *Client) Rule(ctx context.Context, id string) (*ingest.Rule, error) {
	var r ingest.Rule
	if err := c.call(ctx, request{method: http.MethodGet, path: "/v1/dataCollectionRules/" + url.PathEscape(id), want: http.StatusOK}, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Rules lists the data collection rules (not the built-in one), by id.
func (c *Client) Rules(ctx context.Context) ([]*ingest.Rule, error) {
	var out struct {
		Value []*ingest.Rule `json:"value"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/v1/dataCollectionRules", want: http.StatusOK}, nil, &out)
	return out.Value, err
}

// DeleteRule removes a data collection rule.
func (c *Client) DeleteRule(ctx context.Context, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: "/v1/dataCollectionRules/" + url.PathEscape(id), want: http.StatusNoContent}, nil, nil)
}
