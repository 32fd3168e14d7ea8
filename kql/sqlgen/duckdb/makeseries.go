package duckdb

import (
	"strconv"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// makeSeries renders make-series in bin-index space: the groups are
// crossed with every bin index, the aggregates of each (group, bin) are
// joined in, and each group's values are collected in bin order.
func (g *gen) makeSeries(n *plan.MakeSeries) string {
	axis, step := g.expr(n.Axis), g.expr(n.Step)
	dt := n.Axis.Type() == types.DateTime
	var from, to string
	if n.From != nil {
		from = g.expr(n.From)
	}
	if n.To != nil {
		to = g.expr(n.To)
	}
	binOf := func(x string) string { // bin(x, step) for data-derived bounds
		if dt {
			return "make_timestamp(CAST(((epoch_us(" + x + ") * 10 + " + ticksAt1970 + ") // (" + step + ") * (" + step + ") - " + ticksAt1970 + ") // 10 AS BIGINT))"
		}
		return "(floor((" + x + ") / (" + step + ")) * (" + step + "))"
	}
	if from == "" {
		from = "(SELECT " + binOf("min("+axis+")") + " FROM __src)"
	}
	if to == "" {
		if dt {
			to = "(SELECT " + binOf("max("+axis+")") + " + to_microseconds(CAST((" + step + ") // 10 AS BIGINT)) FROM __src)"
		} else {
			to = "(SELECT " + binOf("max("+axis+")") + " + (" + step + ") FROM __src)"
		}
	}
	var idx, count, binval string
	if dt {
		idx = "CAST(floor((epoch_us(" + axis + ") - epoch_us(__p.f)) * 10 / (" + step + ")) AS BIGINT)"
		count = "CAST(ceil((epoch_us(t) - epoch_us(f)) * 10 / (" + step + ")) AS BIGINT)"
		binval = "__p.f + to_microseconds(CAST(__b.i * (" + step + ") // 10 AS BIGINT))"
	} else {
		idx = "CAST(floor(((" + axis + ") - __p.f) / (" + step + ")) AS BIGINT)"
		count = "CAST(ceil((t - f) / (" + step + ")) AS BIGINT)"
		binval = "__p.f + __b.i * (" + step + ")"
	}

	var keyOut, keyExprs, keyOn []string
	for i, k := range n.Keys {
		kn := "__k" + strconv.Itoa(i)
		keyExprs = append(keyExprs, g.expr(k.Expr)+" AS "+kn)
		keyOut = append(keyOut, "__k."+kn+" AS "+Ident(k.Name))
		keyOn = append(keyOn, "__k."+kn+" IS NOT DISTINCT FROM __a."+kn)
	}
	keys := "(SELECT 1 AS __one FROM __src LIMIT 1) AS __k"
	if n.NonEmpty {
		keys = "(SELECT 1 AS __one) AS __k"
	}
	if len(n.Keys) > 0 {
		keys = "(SELECT DISTINCT " + strings.Join(keyExprs, ", ") + " FROM __src) AS __k"
	}
	var aggExprs, outs []string
	for i, a := range n.Aggs {
		an := "__v" + strconv.Itoa(i)
		aggExprs = append(aggExprs, g.aggExpr(a.Expr)+" AS "+an)
		outs = append(outs, "to_json(list(coalesce(__a."+an+", "+g.valueAs(n.Defaults[i], a.Expr.Type())+") ORDER BY __b.i)) AS "+Ident(a.Name))
	}
	groupBy := []string{}
	for i := range n.Keys {
		groupBy = append(groupBy, strconv.Itoa(i+1))
	}
	var aggGroup []string
	for i := 0; i <= len(n.Keys); i++ {
		aggGroup = append(aggGroup, strconv.Itoa(i+1))
	}
	aggSel := append(append([]string{}, keyExprs...), idx+" AS i")
	aggSel = append(aggSel, aggExprs...)
	agg := "(SELECT " + strings.Join(aggSel, ", ") + " FROM __src, __p WHERE " + axis + " >= __p.f AND " + axis + " < __p.t GROUP BY " + strings.Join(aggGroup, ", ") + ") AS __a"
	on := append(keyOn, "__b.i = __a.i")
	sel := append(append([]string{}, keyOut...), outs...)
	sel = append(sel, "to_json(list("+convertSQL(binval, n.Axis.Type(), types.String)+" ORDER BY __b.i)) AS "+Ident(n.AxisName))
	var sb strings.Builder
	sb.WriteString("WITH __src AS (" + g.node(n.Input) + "), ")
	sb.WriteString("__p AS (SELECT f, t, greatest(" + count + ", 0) AS n FROM (SELECT " + from + " AS f, " + to + " AS t)) ")
	sb.WriteString("SELECT " + strings.Join(sel, ", "))
	sb.WriteString(" FROM " + keys + " CROSS JOIN __p CROSS JOIN (SELECT range AS i FROM range(0, (SELECT n FROM __p))) AS __b")
	sb.WriteString(" LEFT JOIN " + agg + " ON " + strings.Join(on, " AND "))
	if len(groupBy) > 0 {
		sb.WriteString(" GROUP BY " + strings.Join(groupBy, ", "))
	} else if !n.NonEmpty {
		sb.WriteString(" HAVING count(*) > 0")
	}
	return sb.String()
}
