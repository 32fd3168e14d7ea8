package udf

import (
	"database/sql/driver"
	"math"
	"sort"
	"strings"

	"github.com/golang/geo/s2"
	h3 "github.com/uber/h3-go/v4"
)

// Cell systems: S2 (tokens), H3 (hex indexes) and geohash.

func init() {
	geoAdd("kql_geo_point_to_s2cell", tVarchar, geoPointToS2Cell, tDouble, tDouble, tBigint)
	geoAdd("kql_geo_s2cell_to_central_point", tVarchar, geoS2CellToCentralPoint, tVarchar)
	geoAdd("kql_geo_s2cell_to_polygon", tVarchar, geoS2CellToPolygon, tVarchar)
	geoAdd("kql_geo_s2cell_neighbors", tVarchar, geoS2CellNeighbors, tVarchar)
	geoAdd("kql_geo_polygon_to_s2cells", tVarchar, geoPolygonToS2Cells, tVarchar, tBigint)

	geoAdd("kql_geo_point_to_h3cell", tVarchar, geoPointToH3Cell, tDouble, tDouble, tBigint)
	geoAdd("kql_geo_h3cell_parent", tVarchar, geoH3CellParent, tVarchar, tBigint)
	geoAdd("kql_geo_h3cell_children", tVarchar, geoH3CellChildren, tVarchar, tBigint)
	geoAdd("kql_geo_h3cell_level", tBigint, geoH3CellLevel, tVarchar)
	geoAdd("kql_geo_h3cell_rings", tVarchar, geoH3CellRings, tVarchar, tBigint)
	geoAdd("kql_geo_h3cell_neighbors", tVarchar, geoH3CellNeighbors, tVarchar)
	geoAdd("kql_geo_h3cell_to_central_point", tVarchar, geoH3CellToCentralPoint, tVarchar)
	geoAdd("kql_geo_h3cell_to_polygon", tVarchar, geoH3CellToPolygon, tVarchar)
	geoAdd("kql_geo_polygon_to_h3cells", tVarchar, geoPolygonToH3Cells, tVarchar, tBigint)

	geoAdd("kql_geo_point_to_geohash", tVarchar, geoPointToGeohash, tDouble, tDouble, tBigint)
	geoAdd("kql_geo_geohash_to_central_point", tVarchar, geoGeohashToCentralPoint, tVarchar)
	geoAdd("kql_geo_geohash_to_polygon", tVarchar, geoGeohashToPolygon, tVarchar)
	geoAdd("kql_geo_geohash_neighbors", tVarchar, geoGeohashNeighbors, tVarchar)
}

// --- S2 ---

func geoPointToS2Cell(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 1)
	level, ok2 := iArg(args[2])
	if !ok || !ok2 || level < 0 || level > 30 {
		return nil, nil
	}
	id := s2.CellIDFromLatLng(s2.LatLngFromDegrees(p[0][1], p[0][0])).Parent(int(level))
	return id.ToToken(), nil
}

func s2Cell(v driver.Value) (s2.CellID, bool) {
	s, ok := sArg(v)
	if !ok || s == "" || len(s) > 16 {
		return 0, false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return 0, false
		}
	}
	id := s2.CellIDFromToken(strings.ToLower(s))
	return id, id.IsValid()
}

func geoS2CellToCentralPoint(args []driver.Value) (any, error) {
	id, ok := s2Cell(args[0])
	if !ok {
		return nil, nil
	}
	return pointJSON(fromS2(id.Point())), nil
}

func geoS2CellToPolygon(args []driver.Value) (any, error) {
	id, ok := s2Cell(args[0])
	if !ok {
		return nil, nil
	}
	c := s2.CellFromCellID(id)
	ring := make([]pt, 0, 5)
	for k := 0; k < 4; k++ {
		ring = append(ring, fromS2(c.Vertex(k)))
	}
	ring = append(ring, ring[0])
	return polygonJSON([][]pt{ring}), nil
}

func geoS2CellNeighbors(args []driver.Value) (any, error) {
	id, ok := s2Cell(args[0])
	if !ok {
		return nil, nil
	}
	var out []string
	for _, n := range id.AllNeighbors(id.Level()) {
		out = append(out, n.ToToken())
	}
	return stringsJSON(out), nil
}

// --- H3 ---

func geoPointToH3Cell(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 1)
	res, ok2 := iArg(args[2])
	if !ok || !ok2 || res < 0 || res > 15 {
		return nil, nil
	}
	return h3.LatLngToCell(h3.NewLatLng(p[0][1], p[0][0]), int(res)).String(), nil
}

func h3Cell(v driver.Value) (h3.Cell, bool) {
	s, ok := sArg(v)
	if !ok || s == "" || len(s) > 16 {
		return 0, false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return 0, false
		}
	}
	c := h3.Cell(h3.IndexFromString(s))
	return c, c.IsValid()
}

func geoH3CellParent(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	res, ok := iArg(args[1])
	if !ok {
		return nil, nil
	}
	if res == -1 { // not given: the next coarser level
		res = int64(c.Resolution() - 1)
	}
	if res < 0 || res > int64(c.Resolution()) {
		return nil, nil
	}
	return c.Parent(int(res)).String(), nil
}

func geoH3CellChildren(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	res, ok := iArg(args[1])
	if !ok {
		return nil, nil
	}
	if res == -1 { // not given: the next finer level
		res = int64(c.Resolution() + 1)
	}
	// Kusto caps the answer's size: at most 5 levels below the cell.
	if res < int64(c.Resolution()) || res > 15 || res-int64(c.Resolution()) > 5 {
		return nil, nil
	}
	var out []string
	for _, ch := range c.Children(int(res)) {
		out = append(out, ch.String())
	}
	return stringsJSON(out), nil
}

func geoH3CellLevel(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	return int64(c.Resolution()), nil
}

func geoH3CellRings(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	k, ok2 := iArg(args[1])
	if !ok || !ok2 || k < 0 || k > 142 {
		return nil, nil
	}
	rings := c.GridDiskDistances(int(k))
	parts := make([]string, len(rings))
	for i, r := range rings {
		ss := make([]string, 0, len(r))
		for _, x := range r {
			if x != 0 {
				ss = append(ss, x.String())
			}
		}
		parts[i] = stringsJSON(ss)
	}
	return "[" + strings.Join(parts, ",") + "]", nil
}

func geoH3CellNeighbors(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	var out []string
	for _, x := range c.GridDisk(1) {
		if x != 0 && x != c {
			out = append(out, x.String())
		}
	}
	return stringsJSON(out), nil
}

func geoH3CellToCentralPoint(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	ll := c.LatLng()
	return pointJSON(pt{ll.Lng, ll.Lat}), nil
}

func geoH3CellToPolygon(args []driver.Value) (any, error) {
	c, ok := h3Cell(args[0])
	if !ok {
		return nil, nil
	}
	b := c.Boundary()
	ring := make([]pt, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, pt{ll.Lng, ll.Lat})
	}
	ring = append(ring, ring[0])
	return polygonJSON([][]pt{ring}), nil
}

// --- geohash ---

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// geohashEncode encodes a point with the given number of characters.
func geohashEncode(lng, lat float64, n int) string {
	loLng, hiLng, loLat, hiLat := -180.0, 180.0, -90.0, 90.0
	var b strings.Builder
	even := true
	bit, ch := 0, 0
	for b.Len() < n {
		if even {
			mid := (loLng + hiLng) / 2
			if lng >= mid {
				ch = ch<<1 | 1
				loLng = mid
			} else {
				ch <<= 1
				hiLng = mid
			}
		} else {
			mid := (loLat + hiLat) / 2
			if lat >= mid {
				ch = ch<<1 | 1
				loLat = mid
			} else {
				ch <<= 1
				hiLat = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			b.WriteByte(geohashAlphabet[ch])
			bit, ch = 0, 0
		}
	}
	return b.String()
}

// geohashBox decodes a geohash into its bounds (min lng, min lat, max
// lng, max lat).
func geohashBox(v driver.Value) ([4]float64, bool) {
	s, ok := sArg(v)
	if !ok || s == "" || len(s) > 18 {
		return [4]float64{}, false
	}
	loLng, hiLng, loLat, hiLat := -180.0, 180.0, -90.0, 90.0
	even := true
	for _, c := range strings.ToLower(s) {
		d := strings.IndexRune(geohashAlphabet, c)
		if d < 0 {
			return [4]float64{}, false
		}
		for i := 4; i >= 0; i-- {
			on := d>>i&1 == 1
			if even {
				mid := (loLng + hiLng) / 2
				if on {
					loLng = mid
				} else {
					hiLng = mid
				}
			} else {
				mid := (loLat + hiLat) / 2
				if on {
					loLat = mid
				} else {
					hiLat = mid
				}
			}
			even = !even
		}
	}
	return [4]float64{loLng, loLat, hiLng, hiLat}, true
}

func geoPointToGeohash(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 1)
	n, ok2 := iArg(args[2])
	if !ok || !ok2 || n < 1 || n > 18 {
		return nil, nil
	}
	return geohashEncode(p[0][0], p[0][1], int(n)), nil
}

func geoGeohashToCentralPoint(args []driver.Value) (any, error) {
	b, ok := geohashBox(args[0])
	if !ok {
		return nil, nil
	}
	return pointJSON(pt{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2}), nil
}

func geoGeohashToPolygon(args []driver.Value) (any, error) {
	b, ok := geohashBox(args[0])
	if !ok {
		return nil, nil
	}
	ring := []pt{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
	return polygonJSON([][]pt{ring}), nil
}

// geohashNeighbors lists the eight surrounding cells of the same length,
// in Kusto's order: SW, NW, SE, N, W, NE, E, S.
func geoGeohashNeighbors(args []driver.Value) (any, error) {
	s, _ := sArg(args[0])
	b, ok := geohashBox(args[0])
	if !ok {
		return nil, nil
	}
	w, h := b[2]-b[0], b[3]-b[1]
	cx, cy := (b[0]+b[2])/2, (b[1]+b[3])/2
	var out []string
	for _, d := range [][2]float64{{-1, -1}, {-1, 1}, {1, -1}, {0, 1}, {-1, 0}, {1, 1}, {1, 0}, {0, -1}} {
		x, y := cx+d[0]*w, cy+d[1]*h
		if y > 90 || y < -90 {
			continue
		}
		if x > 180 {
			x -= 360
		} else if x < -180 {
			x += 360
		}
		out = append(out, geohashEncode(x, y, len(s)))
	}
	return stringsJSON(out), nil
}

// maxH3Cells is Kusto's limit on geo_polygon_to_h3cells' answer.
const maxH3Cells = 61680

// geoPolygonToH3Cells lists the cells of the resolution whose centers lie
// in the polygon (edges read as straight lines in degrees).
func geoPolygonToH3Cells(args []driver.Value) (out any, err error) {
	_, polys, ok := parsePolygonRings(args[0])
	res, ok2 := iArg(args[1])
	if !ok || !ok2 || res < 0 || res > 15 {
		return nil, nil
	}
	sh, _ := parsePolygons(args[0])
	area := 0.0
	for _, p := range sh.polys {
		area += p.Area() * earthRadius * earthRadius
	}
	if area/h3.HexagonAreaAvgM2(int(res)) > 2*maxH3Cells {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil { // the binding indexes an empty buffer
			out, err = nil, nil
		}
	}()
	loop := func(r []pt) h3.GeoLoop {
		l := make(h3.GeoLoop, 0, len(r))
		for _, p := range r[:len(r)-1] {
			l = append(l, h3.NewLatLng(p[1], p[0]))
		}
		return l
	}
	seen := map[h3.Cell]bool{}
	var cells []string
	for _, rings := range polys {
		gp := h3.GeoPolygon{GeoLoop: loop(rings[0])}
		for _, h := range rings[1:] {
			gp.Holes = append(gp.Holes, loop(h))
		}
		for _, c := range h3.PolygonToCells(gp, int(res)) {
			if c != 0 && !seen[c] {
				seen[c] = true
				cells = append(cells, c.String())
			}
		}
	}
	if len(cells) > maxH3Cells {
		return nil, nil
	}
	return stringsJSON(cells), nil
}

// maxS2Cells is Kusto's limit on geo_polygon_to_s2cells' answer.
const maxS2Cells = 65536

// geoPolygonToS2Cells lists the cells of the level that cover the polygon,
// in cell-id order.
func geoPolygonToS2Cells(args []driver.Value) (any, error) {
	sh, ok := parsePolygons(args[0])
	level, ok2 := iArg(args[1])
	if !ok || !ok2 || level < 0 || level > 30 {
		return nil, nil
	}
	area := 0.0
	for _, p := range sh.polys {
		area += p.Area()
	}
	if area/(4*math.Pi/(6*math.Pow(4, float64(level)))) > maxS2Cells {
		return nil, nil
	}
	rc := &s2.RegionCoverer{MinLevel: int(level), MaxLevel: int(level), LevelMod: 1, MaxCells: maxS2Cells + 1}
	var ids []s2.CellID
	for _, p := range sh.polys {
		ids = append(ids, rc.Covering(p)...)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []string
	for i, id := range ids {
		if i > 0 && id == ids[i-1] {
			continue
		}
		out = append(out, id.ToToken())
	}
	if len(out) > maxS2Cells {
		return nil, nil
	}
	return stringsJSON(out), nil
}
