package udf

import (
	"database/sql/driver"
	"math"
)

// Point and distance functions on the sphere.

func init() {
	geoAdd("kql_geo_distance_2points", tDouble, geoDistance2Points, tDouble, tDouble, tDouble, tDouble, tBool)
	geoAdd("kql_geo_angle", tDouble, geoAngle, tDouble, tDouble, tDouble, tDouble, tDouble, tDouble, tBool)
	geoAdd("kql_geo_azimuth", tDouble, geoAzimuth, tDouble, tDouble, tDouble, tDouble, tBool)
	geoAdd("kql_geo_point_in_circle", tBool, geoPointInCircle, tDouble, tDouble, tDouble, tDouble, tDouble)
	geoAdd("kql_geo_point_buffer", tVarchar, geoPointBuffer, tDouble, tDouble, tDouble, tDouble)
}

// lngLats reads n longitude/latitude pairs and validates them.
func lngLats(args []driver.Value, n int) ([]pt, bool) {
	out := make([]pt, n)
	for i := 0; i < n; i++ {
		lng, ok1 := fArg(args[2*i])
		lat, ok2 := fArg(args[2*i+1])
		if !ok1 || !ok2 || !validLngLat(lng, lat) {
			return nil, false
		}
		out[i] = pt{lng, lat}
	}
	return out, true
}

func rad(d float64) float64 { return d * math.Pi / 180 }

// sphereDistance is the great-circle distance in meters (haversine).
func sphereDistance(a, b pt) float64 {
	p1, p2 := rad(a[1]), rad(b[1])
	dl := rad(b[0] - a[0])
	h := math.Pow(math.Sin((p2-p1)/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin(dl/2), 2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// azimuth is the initial bearing from a to b, clockwise from north, in
// radians in [0, 2π).
func azimuth(a, b pt) float64 {
	p1, p2 := rad(a[1]), rad(b[1])
	dl := rad(b[0] - a[0])
	y := math.Sin(dl) * math.Cos(p2)
	x := math.Cos(p1)*math.Sin(p2) - math.Sin(p1)*math.Cos(p2)*math.Cos(dl)
	az := math.Atan2(y, x)
	if az < 0 {
		az += 2 * math.Pi
	}
	return az
}

func samePoint(a, b pt) bool { return a == b || sphereDistance(a, b) == 0 }

// spheroid reads the use_spheroid flag.
func spheroid(v driver.Value) bool { b, _ := v.(bool); return b }

// bearing is the initial azimuth from a to b on the sphere or spheroid.
func bearing(a, b pt, ellipsoid bool) (float64, bool) {
	if !ellipsoid {
		return azimuth(a, b), true
	}
	_, az, ok := vincentyInverse(a, b)
	return az, ok
}

func geoDistance2Points(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 2)
	if !ok {
		return nil, nil
	}
	if spheroid(args[4]) {
		d, _, ok := vincentyInverse(p[0], p[1])
		if !ok {
			return nil, nil
		}
		return d, nil
	}
	return sphereDistance(p[0], p[1]), nil
}

// geoAngle is the angle at the second point, clockwise from the first
// point's direction to the third's, in radians.
func geoAngle(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 3)
	if !ok || samePoint(p[0], p[1]) || samePoint(p[2], p[1]) {
		return nil, nil
	}
	az2, ok2 := bearing(p[1], p[2], spheroid(args[6]))
	az0, ok0 := bearing(p[1], p[0], spheroid(args[6]))
	if !ok2 || !ok0 {
		return nil, nil
	}
	a := az2 - az0
	if a < 0 {
		a += 2 * math.Pi
	}
	return a, nil
}

func geoAzimuth(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 2)
	if !ok || samePoint(p[0], p[1]) {
		return nil, nil
	}
	az, ok := bearing(p[0], p[1], spheroid(args[4]))
	if !ok {
		return nil, nil
	}
	return az, nil
}

func geoPointInCircle(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 2)
	r, ok2 := fArg(args[4])
	if !ok || !ok2 || !(r >= 0) || math.IsInf(r, 0) {
		return nil, nil
	}
	return sphereDistance(p[0], p[1]) <= r, nil
}

// destination is the point at distance d meters from p on the initial
// bearing az (radians).
func destination(p pt, d, az float64) pt {
	delta := d / earthRadius
	p1, l1 := rad(p[1]), rad(p[0])
	sinP2 := math.Sin(p1)*math.Cos(delta) + math.Cos(p1)*math.Sin(delta)*math.Cos(az)
	p2 := math.Asin(math.Max(-1, math.Min(1, sinP2)))
	l2 := l1 + math.Atan2(math.Sin(az)*math.Sin(delta)*math.Cos(p1), math.Cos(delta)-math.Sin(p1)*sinP2)
	lng := math.Mod(l2*180/math.Pi+540, 360) - 180
	return pt{lng, p2 * 180 / math.Pi}
}

// geoPointBuffer is a polygon around the point containing the circle of
// the radius; its edges stray at most tolerance meters beyond it.
func geoPointBuffer(args []driver.Value) (any, error) {
	p, ok := lngLats(args, 1)
	r, ok2 := fArg(args[2])
	tol, ok3 := fArg(args[3])
	if !ok || !ok2 || !ok3 || !(r > 0) || math.IsInf(r, 0) || !(tol > 0) || tol < r*1e-6 || r >= math.Pi*earthRadius/2 {
		return nil, nil
	}
	if tol >= r {
		tol = r * 0.999
	}
	n := int(math.Ceil(math.Pi / math.Acos(r/(r+tol))))
	if n < 4 {
		n = 4
	}
	if n > 1<<16 {
		return nil, nil
	}
	outer := r / math.Cos(math.Pi/float64(n))
	ring := make([]pt, 0, n+1)
	for k := 0; k < n; k++ {
		// Counterclockwise: bearings decrease.
		ring = append(ring, destination(p[0], outer, -2*math.Pi*float64(k)/float64(n)))
	}
	ring = append(ring, ring[0])
	return polygonJSON([][]pt{ring}), nil
}
