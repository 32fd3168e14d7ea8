package udf

import (
	"math"
	"testing"
)

func TestGeoOverlay(t *testing.T) {
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"touching triangles meet in a point",
			must(geoIntersection2Polygons(vals(`{"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]}`, `{"type":"Polygon","coordinates":[[[3,44],[2,45],[2,43],[3,44]]]}`))),
			`{"type":"Point","coordinates":[2,45]}`},
		{"disjoint polygons",
			must(geoIntersection2Polygons(vals(`{"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]}`, `{"type":"Polygon","coordinates":[[[3,44],[3,45],[2,43],[3,44]]]}`))),
			emptyCollection},
		{"line outside polygon",
			must(geoIntersectionLineWithPolygon(vals(`{"type":"LineString","coordinates":[[1,1],[2,2]]}`, `{"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,10]]]}`))),
			emptyCollection},
		{"union of lines",
			must(geoUnionLinesArray(vals(`[{"type":"LineString","coordinates":[[0,0],[1,1],[2,2]]},{"type":"LineString","coordinates":[[1,1],[2,2],[3,3]]}]`))),
			`{"type":"LineString","coordinates":[[0,0],[1,1],[2,2],[3,3]]}`},
		{"union with invalid line", must(geoUnionLinesArray(vals(`[{"type":"LineString","coordinates":[[1,1]]}]`))), nil},
		{"point buffer invalid radius", must(geoPointBuffer(vals(10.0, 10.0, -1.0, 10.0))), nil},
		{"line buffer zero radius", must(geoLineBuffer(vals(`{"type":"LineString","coordinates":[[0,0],[1,1]]}`, 0.0, 10.0))), nil},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func must(v any, err error) any {
	if err != nil {
		return err
	}
	return v
}

// TestGeoBuffers checks that buffers hold the points within the radius
// and not those well beyond it.
func TestGeoBuffers(t *testing.T) {
	line := `{"type":"LineString","coordinates":[[0,0],[0.1,0.1],[0.2,0]]}`
	poly := `{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0.1],[0,0]]]}`
	for _, tc := range []struct {
		name string
		buf  any
		dist func(lng, lat float64) float64
	}{
		{"line", must(geoLineBuffer(vals(line, 1000.0, 1.0))), func(lng, lat float64) float64 {
			d, _ := geoDistancePointToLine(vals(lng, lat, line))
			return d.(float64)
		}},
		{"polygon", must(geoPolygonBuffer(vals(poly, 1000.0, 1.0))), func(lng, lat float64) float64 {
			d, _ := geoDistancePointToPolygon(vals(lng, lat, poly))
			return d.(float64)
		}},
		{"point", must(geoPointBuffer(vals(0.05, 0.05, 1000.0, 1.0))), func(lng, lat float64) float64 {
			return sphereDistance(pt{0.05, 0.05}, pt{lng, lat})
		}},
	} {
		s, ok := tc.buf.(string)
		if !ok {
			t.Fatalf("%s buffer: got %v", tc.name, tc.buf)
		}
		for lng := -0.03; lng <= 0.23; lng += 0.0037 {
			for lat := -0.03; lat <= 0.13; lat += 0.0031 {
				d := tc.dist(lng, lat)
				if math.Abs(d-1000) < 5 {
					continue
				}
				in, _ := geoPointInPolygon(vals(lng, lat, s))
				if in != (d < 1000) {
					t.Errorf("%s buffer: point (%v,%v) at %.1f m: in=%v", tc.name, lng, lat, d, in)
				}
			}
		}
	}
}
