package collect

import (
	"context"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

func runNetwork(context.Context, Config, sensor.Emitter) error { return unsupported("network", nil) }
func runLogon(context.Context, Config, sensor.Emitter) error   { return unsupported("logon", nil) }
