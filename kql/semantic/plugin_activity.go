package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func colRef(name string, t types.Type) *plan.ColRef { return &plan.ColRef{Name: name, T: t} }

func longConst(n int64) *plan.Const { return &plan.Const{Value: n, T: types.Long} }

// activityArgs binds the leading (IdColumn, TimelineColumn, scalars…)
// arguments of the activity plugins.
func (b *binder) activityArgs(in plan.Node, op *syntax.EvaluateOp, e *env, n int) (id, ts plan.Expr, tsName string, rest []plan.Expr, ok bool) {
	args := op.Call.Args
	name := op.Call.Fun.Name
	if len(args) < n {
		b.errAt(op.Call, CodeArgCount, "%s(): expects %d arguments", name, n)
		return nil, nil, "", nil, false
	}
	if len(args) > n {
		b.errAt(args[n], CodeUnsupported, "%s(): dimension columns are not supported yet", name)
		return nil, nil, "", nil, false
	}
	r := &row{cols: in.Schema()}
	id = b.expr(args[0], e, r)
	ts = b.expr(args[1], e, r)
	tsName = columnName(args[1])
	if tsName == "" {
		tsName = "Timestamp"
	}
	if ts.Type() != types.DateTime {
		b.errAt(args[1], CodeTypeMismatch, "%s(): the timeline column must be a datetime", name)
		return nil, nil, "", nil, false
	}
	for _, a := range args[2:] {
		rest = append(rest, b.expr(a, e, nil))
	}
	return id, ts, tsName, rest, true
}

// activityCountsMetrics lowers `evaluate activity_counts_metrics(Id,
// Time, Start, End, Window)`: per window from Start, the number of
// records, of distinct ids, of ids not seen in earlier windows, and of
// distinct ids seen so far.
func (b *binder) activityCountsMetrics(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	id, ts, tsName, rest, ok := b.activityArgs(in, op, e, 5)
	if !ok {
		return nil
	}
	start, end, window := rest[0], rest[1], rest[2]
	bin := call("bin_at", types.DateTime, ts, window, start)
	rows := &plan.Project{Input: in, Exprs: []plan.NamedExpr{{Name: "id", Expr: id}, {Name: "bin", Expr: bin}}}
	idT := id.Type()
	binRef := colRef("bin", types.DateTime)
	inRange := &plan.Filter{Input: rows, Pred: call("and", types.Bool,
		call(">=", types.Bool, binRef, start), call("<=", types.Bool, binRef, end))}
	perBin := &plan.Aggregate{Input: inRange, Keys: []plan.NamedExpr{{Name: tsName, Expr: binRef}},
		Aggs: []plan.NamedExpr{{Name: "count", Expr: call("count", types.Long)}, {Name: "dcount", Expr: call("dcount", types.Long, colRef("id", idT))}}}
	first := &plan.Aggregate{Input: inRange, Keys: []plan.NamedExpr{{Name: "id", Expr: colRef("id", idT)}},
		Aggs: []plan.NamedExpr{{Name: "first", Expr: call("min", types.DateTime, binRef)}}}
	newPerBin := &plan.Aggregate{Input: first, Keys: []plan.NamedExpr{{Name: "first", Expr: colRef("first", types.DateTime)}},
		Aggs: []plan.NamedExpr{{Name: "new", Expr: call("count", types.Long)}}}
	j := &plan.Join{Left: perBin, Right: newPerBin, Kind: plan.JoinLeftOuter, Keys: []plan.JoinKey{{Left: tsName, Right: "first"}},
		Output: []plan.JoinColumn{
			{Name: tsName, FromLeft: true, Source: tsName, T: types.DateTime},
			{Name: "count", FromLeft: true, Source: "count", T: types.Long},
			{Name: "dcount", FromLeft: true, Source: "dcount", T: types.Long},
			{Name: "new", Source: "new", T: types.Long},
		}}
	sorted := &plan.Sort{Input: j, Keys: []plan.SortKey{{Expr: colRef(tsName, types.DateTime)}}}
	newCount := call("coalesce", types.Long, colRef("new", types.Long), longConst(0))
	cum := call("row_cumsum", types.Long, newCount)
	cum.Over = sorted.Keys
	out := &plan.Project{Input: sorted, Exprs: []plan.NamedExpr{
		{Name: tsName, Expr: colRef(tsName, types.DateTime)},
		{Name: "count", Expr: colRef("count", types.Long)},
		{Name: "dcount", Expr: colRef("dcount", types.Long)},
		{Name: "new_dcount", Expr: newCount},
		{Name: "aggregated_dcount", Expr: cum},
	}}
	res := &plan.Sort{Input: out, Keys: []plan.SortKey{{Expr: colRef(tsName, types.DateTime)}}}
	b.order[res] = res.Keys
	return res
}

// activeUsersCount lowers `evaluate active_users_count(Id, Time, Start,
// End, LookbackWindow, Period, ActivePeriodsCount, Bin)`: an appearance
// in [Start, End] is active when the id appeared in at least
// ActivePeriodsCount distinct periods during the lookback window (t-Lookback, t] ending
// at it; the result counts the distinct ids with an active appearance per
// bin.
func (b *binder) activeUsersCount(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	id, ts, tsName, rest, ok := b.activityArgs(in, op, e, 8)
	if !ok {
		return nil
	}
	start, end, lookback, period, minPeriods, binSize := rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]
	idT := id.Type()
	all := &plan.Project{Input: in, Exprs: []plan.NamedExpr{{Name: "id", Expr: id}, {Name: "ts", Expr: ts}}}
	tsRef := colRef("ts", types.DateTime)
	appear := &plan.Filter{Input: all, Pred: call("and", types.Bool,
		call(">=", types.Bool, tsRef, start), call("<=", types.Bool, tsRef, end))}
	prior := &plan.Project{Input: all, Exprs: []plan.NamedExpr{
		{Name: "pid", Expr: colRef("id", idT)},
		{Name: "pts", Expr: tsRef},
		{Name: "period", Expr: call("bin", types.DateTime, tsRef, period)},
	}}
	ptsRef := colRef("pts", types.DateTime)
	pred := call("and", types.Bool,
		call("==", types.Bool, colRef("id", idT), colRef("pid", idT)),
		call("and", types.Bool,
			call("<=", types.Bool, ptsRef, tsRef),
			call(">", types.Bool, ptsRef, call("-", types.DateTime, tsRef, lookback))))
	j := &plan.CondJoin{Left: appear, Right: prior, Pred: pred}
	periods := &plan.Aggregate{Input: j,
		Keys: []plan.NamedExpr{{Name: "id", Expr: colRef("id", idT)}, {Name: "ts", Expr: tsRef}},
		Aggs: []plan.NamedExpr{{Name: "periods", Expr: call("dcount", types.Long, colRef("period", types.DateTime))}}}
	active := &plan.Filter{Input: periods, Pred: call(">=", types.Bool, colRef("periods", types.Long), minPeriods)}
	res := &plan.Aggregate{Input: active,
		Keys: []plan.NamedExpr{{Name: tsName, Expr: call("bin_at", types.DateTime, tsRef, binSize, start)}},
		Aggs: []plan.NamedExpr{{Name: "dcount", Expr: call("dcount", types.Long, colRef("id", idT))}}}
	return res
}
