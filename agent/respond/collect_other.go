//go:build !linux

package respond

import (
	"context"
	"fmt"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

func (r *Responder) collect(ctx context.Context, id string) (map[string]string, error) {
	return nil, fmt.Errorf("collect_package: %w", sensor.ErrUnsupported)
}

// CollectPackage writes the investigation package; Linux only.
func (r *Responder) CollectPackage(ctx context.Context, id string) (string, error) {
	return "", fmt.Errorf("collect_package: %w", sensor.ErrUnsupported)
}

func imagesWithSHA256(want string) ([]string, error) {
	return nil, fmt.Errorf("find process images: %w", sensor.ErrUnsupported)
}
