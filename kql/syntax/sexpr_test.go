package syntax

import (
	"fmt"
	"strings"
	"time"
)

// sexpr renders an expression fully parenthesized, for precedence and
// structure tests.
func sexpr(x Expr) string {
	switch x := x.(type) {
	case nil:
		return "<nil>"
	case *Ident:
		return x.Name
	case *Literal:
		switch v := x.Value.(type) {
		case string:
			return fmt.Sprintf("%q", v)
		case time.Time:
			return FormatDateTime(v)
		case time.Duration:
			return "ts:" + FormatTimespan(v)
		case nil:
			return x.Type.String() + "(null)"
		}
		return fmt.Sprint(x.Value)
	case *BinaryExpr:
		return "(" + x.Op + " " + sexpr(x.X) + " " + sexpr(x.Y) + ")"
	case *UnaryExpr:
		return "(" + x.Op + " " + sexpr(x.X) + ")"
	case *InExpr:
		return "(" + x.Op + " " + sexpr(x.X) + " [" + sexprs(x.List) + "])"
	case *BetweenExpr:
		op := "between"
		if x.Not {
			op = "!between"
		}
		return "(" + op + " " + sexpr(x.X) + " " + sexpr(x.Lo) + " " + sexpr(x.Hi) + ")"
	case *CallExpr:
		s := x.Fun.Name + "(" + sexprs(x.Args) + ")"
		if x.Recv != nil {
			s = sexpr(x.Recv) + "." + s
		}
		return s
	case *ParenExpr:
		return "{" + sexpr(x.X) + "}"
	case *SelectorExpr:
		return sexpr(x.X) + "." + x.Sel.Name
	case *IndexExpr:
		return sexpr(x.X) + "[" + sexpr(x.Index) + "]"
	case *StarExpr:
		return "*"
	case *NamedExpr:
		var ns []string
		for _, n := range x.Names {
			ns = append(ns, n.Name)
		}
		return strings.Join(ns, ",") + "=" + sexpr(x.Value)
	case *TypeExpr:
		return "type:" + x.Type.String()
	case *ColumnPattern:
		if x.Type != nil {
			return x.Name.Name + ":" + x.Type.Type.String()
		}
		return x.Name.Name
	case *PipeExpr:
		return sexpr(x.Source) + " | " + x.Op.Name()
	case *ContextualSource:
		return "$ctx"
	case *BadExpr:
		return "<bad>"
	}
	return fmt.Sprintf("<%T>", x)
}

func sexprs(xs []Expr) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, sexpr(x))
	}
	return strings.Join(parts, " ")
}
