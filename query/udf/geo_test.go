package udf

import (
	"database/sql/driver"
	"encoding/json"
	"math"
	"testing"
)

func vals(xs ...any) []driver.Value {
	out := make([]driver.Value, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func TestGeoScalars(t *testing.T) {
	poly := `{"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]}`
	tests := []struct {
		name string
		fn   func([]driver.Value) (any, error)
		args []driver.Value
		want any // float64 (compared to 1e-9 relative), string, bool, int64 or nil
	}{
		{"distance", geoDistance2Points, vals(-122.407628, 47.578557, -118.275287, 34.019056, false), 1546754.35197381},
		{"distance invalid", geoDistance2Points, vals(300.0, 1.0, 1.0, 1.0, false), nil},
		{"angle", geoAngle, vals(0.0, 10.0, 0.0, 5.0, 3.0, -10.0, false), 2.94493843406882},
		{"angle degenerate", geoAngle, vals(0.0, 10.0, 0.0, 10.0, 3.0, -10.0, false), nil},
		{"azimuth", geoAzimuth, vals(5.0, 10.0, 10.0, -40.0, false), 3.05459939796449},
		{"in circle", geoPointInCircle, vals(-122.143564, 47.535677, -122.100896, 47.527351, 3500.0), true},
		{"not in circle", geoPointInCircle, vals(-122.137575, 47.630683, -122.100896, 47.527351, 3500.0), false},
		{"circle bad radius", geoPointInCircle, vals(1.0, 1.0, 1.0, 1.0, -1.0), nil},
		{"s2", geoPointToS2Cell, vals(-80.195829, 25.802215, int64(8)), "88d9b"},
		{"s2 bad level", geoPointToS2Cell, vals(1.0, 1.0, int64(35)), nil},
		{"s2 bad token", geoS2CellToPolygon, vals("a"), nil},
		{"h3", geoPointToH3Cell, vals(-74.04450446039874, 40.689250859314974, int64(6)), "862a1072fffffff"},
		{"h3 parent", geoH3CellParent, vals("862a1072fffffff", int64(-1)), "852a1073fffffff"},
		{"h3 parent 1", geoH3CellParent, vals("862a1072fffffff", int64(1)), "812a3ffffffffff"},
		{"h3 parent finer", geoH3CellParent, vals("862a1072fffffff", int64(15)), nil},
		{"h3 level", geoH3CellLevel, vals("862a1072fffffff"), int64(6)},
		{"h3 bad", geoH3CellLevel, vals("123"), nil},
		{"geohash", geoPointToGeohash, vals(42.47314453125, 23.70849609375, int64(5)), "sunny"},
		{"geohash neighbors", geoGeohashNeighbors, vals("sunny"), `["sunnt","sunpj","sunnx","sunpn","sunnv","sunpp","sunnz","sunnw"]`},
		{"geohash center", geoGeohashToCentralPoint, vals("sunny"), `{"type":"Point","coordinates":[42.47314453125,23.70849609375]}`},
		{"in polygon", geoPointInPolygon, vals(-73.965, 40.785, poly), true},
		{"not in polygon", geoPointInPolygon, vals(-73.9839, 40.7705, poly), false},
		{"degenerate polygon", geoPointInPolygon, vals(1.0, 1.0, `{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,10],[0,0]]]}`), nil},
		{"distance to polygon", geoDistancePointToPolygon, vals(-73.9839, 40.7705, poly), 259.940756070596},
		{"area", geoPolygonArea, vals(poly), 3475207.28346606},
		{"line length", geoLineLength, vals(`{"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334]]}`), 4922.48016992081},
		{"line one point", geoLineLength, vals(`{"type":"LineString","coordinates":[[1,1]]}`), nil},
		{"locate", geoLineLocatePoint, vals(`{"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]}`, -73.965, 40.792), 0.25560135100307552},
		{"densify", geoLineDensify, vals(`{"type":"LineString","coordinates":[[50,50],[51,51]]}`, 10.0), `{"type":"LineString","coordinates":[[50,50],[50.125,50.125],[50.25,50.25],[50.375,50.375],[50.5,50.5],[50.625,50.625],[50.75,50.75],[50.875,50.875],[51,51]]}`},
		{"densify zero", geoLineDensify, vals(`{"type":"LineString","coordinates":[[1,1],[2,2]]}`, 0.0), nil},
		{"simplify vanishes", geoLineSimplify, vals(`{"type":"LineString","coordinates":[[1.1,1.1],[1.2,1.2]]}`, 100000.0), nil},
		{"wkt point", geoFromWKT, vals("POINT (1 2)"), `{"type":"Point","coordinates":[1,2]}`},
		{"wkt multipoint", geoFromWKT, vals("MULTIPOINT ((1 1), (2 2))"), `{"type":"MultiPoint","coordinates":[[1,1],[2,2]]}`},
		{"wkt bad", geoFromWKT, vals("LINESTRING"), nil},
		{"s2 covering too big", geoPolygonToS2Cells, vals(`{"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]}`, int64(30)), nil},
		{"h3 children", geoH3CellChildren, vals("862a1072fffffff", int64(-1)), `["872a10728ffffff","872a10729ffffff","872a1072affffff","872a1072bffffff","872a1072cffffff","872a1072dffffff","872a1072effffff"]`},
		{"h3 children too deep", geoH3CellChildren, vals("862a1072fffffff", int64(12)), nil},
	}
	for _, tt := range tests {
		got, err := tt.fn(tt.args)
		if err != nil {
			t.Errorf("%s: error %v", tt.name, err)
			continue
		}
		if w, ok := tt.want.(float64); ok {
			g, ok := got.(float64)
			if !ok || math.Abs(g-w) > 1e-9*math.Abs(w) {
				t.Errorf("%s: got %v, want %v", tt.name, got, w)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGeoPolygonToS2CellsCount(t *testing.T) {
	got, err := geoPolygonToS2Cells(vals(`{"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]}`, int64(5)))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	if err := json.Unmarshal([]byte(got.(string)), &cells); err != nil || len(cells) != 286 {
		t.Errorf("got %d cells (%v), want 286", len(cells), err)
	}
}

func TestVincenty(t *testing.T) {
	// Geoscience Australia's Flinders Peak to Buninyong example.
	p := pt{144 + 25.0/60 + 29.5244/3600, -(37 + 57.0/60 + 3.7203/3600)}
	q := pt{143 + 55.0/60 + 35.3839/3600, -(37 + 39.0/60 + 10.1561/3600)}
	d, az, ok := vincentyInverse(p, q)
	if !ok || math.Abs(d-54972.271) > 0.001 || math.Abs(az*180/math.Pi-(306+52.0/60+5.37/3600)) > 1e-4 {
		t.Errorf("got %v m, %v°, %v", d, az*180/math.Pi, ok)
	}
	got, _ := geoDistance2Points(vals(p[0], p[1], q[0], q[1], true))
	if g, ok := got.(float64); !ok || math.Abs(g-d) > 1e-9 {
		t.Errorf("use_spheroid: got %v", got)
	}
}
