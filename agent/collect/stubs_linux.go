package collect

import (
	"context"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

func runLogon(context.Context, Config, sensor.Emitter) error   { return unsupported("logon", nil) }
