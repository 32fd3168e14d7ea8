package syntax

// Stable diagnostic codes of the parser (KQL1xxx). Each comment gives a
// minimal query that triggers it. Tests assert codes, not messages. The
// binder's codes (KQL2xxx) are in kql/semantic/codes.go.
const (
	// CodeUnexpectedToken: `T | where x == )`.
	CodeUnexpectedToken = "KQL1001"
	// CodeUnterminatedString: `print "abc`.
	CodeUnterminatedString = "KQL1002"
	// CodeBadNumber: `print 12abc`.
	CodeBadNumber = "KQL1003"
	// CodeUnknownOperator: `T | frobnicate`.
	CodeUnknownOperator = "KQL1004"
	// CodeBadLiteral: `print datetime(2020-13-45)`.
	CodeBadLiteral = "KQL1005"
	// CodeExpected: `T | summarize count() by` — a required element is missing.
	CodeExpected = "KQL1006"
	// CodeIllegalCharacter: `print 1 # 2`.
	CodeIllegalCharacter = "KQL1007"
	// CodeInternal: a parser bug, reported instead of crashing.
	CodeInternal = "KQL1999"
)
