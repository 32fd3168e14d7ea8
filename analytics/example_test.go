package analytics_test

import (
	"fmt"

	"github.com/goshawk-sec/goshawk/analytics"
)

func ExampleParseYAML() {
	rule := `id: 5bdc1504-880c-4b30-a39c-7c746535928d
name: Stop services
description: Attempts to stop security services.
severity: High
requiredDataConnectors: []
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
query: DeviceProcessEvents | where FileName =~ "sc.exe"
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: FullName
        columnName: DeviceName
      - identifiers: HostName
        columnName: HostName
version: 1.0.0
kind: Scheduled
`
	_, err := analytics.ParseYAML("stop-services.yaml", []byte(rule))
	fmt.Println(err)
	// Output:
	// stop-services.yaml: entityMappings[0].fieldMappings[1].identifiers: unknown field (did you mean "identifier"?); entityMappings[0].fieldMappings[1].columnName: column "HostName" is not in the query's results
}

func ExampleRenderFormat() {
	row := map[string]any{"AccountName": "alice", "DeviceName": "ws1"}
	fmt.Println(analytics.RenderFormat("{{AccountName}} ran an encoded command on {{DeviceName}} ({{Missing}})", row))
	// Output:
	// alice ran an encoded command on ws1 ({{Missing}})
}
