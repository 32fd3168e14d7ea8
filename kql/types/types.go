// Package types defines Kusto's scalar types and the promotion rules between
// them. It is shared by the binder, the schema catalogue and the SQL
// generators, and depends on nothing.
package types

import "strings"

// Type is a Kusto scalar type. The zero value is Unknown, used for
// expressions whose type could not be determined (after an error).
type Type uint8

// The scalar types of the Kusto type system.
const (
	Unknown Type = iota
	Bool
	Int
	Long
	Real
	Decimal
	String
	DateTime
	TimeSpan
	GUID
	Dynamic
	// Null is the type of the untyped null literal; it converts to any type.
	Null
)

var names = [...]string{
	Unknown:  "unknown",
	Bool:     "bool",
	Int:      "int",
	Long:     "long",
	Real:     "real",
	Decimal:  "decimal",
	String:   "string",
	DateTime: "datetime",
	TimeSpan: "timespan",
	GUID:     "guid",
	Dynamic:  "dynamic",
	Null:     "null",
}

// String returns the Kusto name of the type ("long", "datetime", …).
func (t Type) String() string {
	if int(t) < len(names) {
		return names[t]
	}
	return "unknown"
}

// aliases maps every spelling Kusto accepts for a type name to the type.
var aliases = map[string]Type{
	"bool": Bool, "boolean": Bool,
	"int": Int, "int32": Int,
	"long": Long, "int64": Long,
	"real": Real, "double": Real, "float": Real,
	"decimal":  Decimal,
	"string":   String,
	"datetime": DateTime, "date": DateTime,
	"timespan": TimeSpan, "time": TimeSpan,
	"guid": GUID, "uniqueid": GUID,
	"dynamic": Dynamic,
}

// Parse returns the type named by s, accepting Kusto's aliases
// (int64, double, date, time, boolean, uniqueid, …).
func Parse(s string) (Type, bool) {
	t, ok := aliases[strings.ToLower(s)]
	return t, ok
}

// IsNumeric reports whether t is int, long, real or decimal.
func (t Type) IsNumeric() bool {
	return t == Int || t == Long || t == Real || t == Decimal
}

// IsIntegral reports whether t is int or long.
func (t Type) IsIntegral() bool { return t == Int || t == Long }

// Promote returns the type of an arithmetic result over a and b following
// Kusto's widening order int < long < decimal < real. Non-numeric inputs
// return Unknown.
func Promote(a, b Type) Type {
	if a == Null {
		return b
	}
	if b == Null {
		return a
	}
	if !a.IsNumeric() || !b.IsNumeric() {
		return Unknown
	}
	rank := func(t Type) int {
		switch t {
		case Int:
			return 1
		case Long:
			return 2
		case Decimal:
			return 3
		case Real:
			return 4
		}
		return 0
	}
	if rank(a) >= rank(b) {
		return a
	}
	return b
}

// Column is a named, typed column of a table schema.
type Column struct {
	Name string
	Type Type
}
