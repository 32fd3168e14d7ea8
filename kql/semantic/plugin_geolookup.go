package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// geoPolygonLookup lowers
//
//	evaluate geo_polygon_lookup(T, polygon, lng, lat [, radius = r]
//	    [, return_unmatched = b] [, return_lookup_key = b])
//
// to a conditional join of the input with T on geo_point_in_polygon (or,
// with a radius, on geo_distance_point_to_polygon <= r). The output is the
// input's columns followed by T's; T's polygon column only when
// return_lookup_key is true.
func (b *binder) geoPolygonLookup(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	const name = "geo_polygon_lookup"
	var args []syntax.Expr
	unmatched, returnKey := false, false
	var radius plan.Expr
	for _, a := range op.Call.Args {
		if ne, ok := a.(*syntax.NamedExpr); ok {
			switch ne.Names[0].Name {
			case "return_unmatched":
				unmatched = b.constBool(ne.Value, e)
				continue
			case "return_lookup_key":
				returnKey = b.constBool(ne.Value, e)
				continue
			case "radius":
				radius = b.expr(ne.Value, e, nil)
				continue
			}
		}
		args = append(args, a)
	}
	if len(args) != 4 {
		b.errAt(op.Call, CodeArgCount, "%s(): expects a polygons table, its polygon column and the longitude and latitude columns", name)
		return nil
	}
	right := b.tabular(args[0], e)
	if right == nil {
		return nil
	}
	leftCols, rightCols := in.Schema(), right.Schema()
	keyName := columnName(args[1])
	var keyT types.Type
	found := false
	for _, c := range rightCols {
		if c.Name == keyName {
			keyT, found = c.Type, true
		}
	}
	if !found {
		b.errAt(args[1], CodeUnknownName, "%s(): the polygons table has no column '%s'", name, keyName)
		return nil
	}
	lr := &row{cols: leftCols}
	lng, lat := b.expr(args[2], e, lr), b.expr(args[3], e, lr)
	renamed := make([]plan.NamedExpr, len(rightCols))
	for i, c := range rightCols {
		renamed[i] = plan.NamedExpr{Name: lookupPrefix + c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}}
	}
	poly := &plan.ColRef{Name: lookupPrefix + keyName, T: keyT}
	var pred plan.Expr
	if radius != nil {
		pred = call("<=", types.Bool, call("geo_distance_point_to_polygon", types.Real, lng, lat, poly), radius)
	} else {
		pred = call("geo_point_in_polygon", types.Bool, lng, lat, poly)
	}
	j := &plan.CondJoin{Left: in, Right: &plan.Project{Input: right, Exprs: renamed}, Pred: pred, LeftOuter: unmatched}
	var out []plan.NamedExpr
	for _, c := range leftCols {
		out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
	}
	for _, c := range rightCols {
		if hasCol(leftCols, c.Name) || (c.Name == keyName && !returnKey) {
			continue
		}
		out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: lookupPrefix + c.Name, T: c.Type}})
	}
	return &plan.Project{Input: j, Exprs: out}
}
