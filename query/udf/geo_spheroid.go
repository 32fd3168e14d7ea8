package udf

import "math"

// Distances and bearings on the WGS-84 ellipsoid (the use_spheroid
// option), by Vincenty's inverse formula.

const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
	wgs84B = wgs84A * (1 - wgs84F)
)

// vincentyInverse returns the ellipsoidal distance in meters from p to q
// and the initial azimuth at p (radians, clockwise from north, [0, 2π)).
// ok is false when the iteration does not converge (nearly antipodal
// points).
func vincentyInverse(p, q pt) (dist, az float64, ok bool) {
	L := rad(q[0] - p[0])
	U1 := math.Atan((1 - wgs84F) * math.Tan(rad(p[1])))
	U2 := math.Atan((1 - wgs84F) * math.Tan(rad(q[1])))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)
	lambda := L
	var sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM, sinLambda, cosLambda float64
	for iter := 0; ; iter++ {
		if iter == 200 {
			return 0, 0, false
		}
		sinLambda, cosLambda = math.Sincos(lambda)
		sinSigma = math.Hypot(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
		if sinSigma == 0 {
			return 0, 0, true // coincident points
		}
		cosSigma = sinU1*sinU2 + cosU1*cosU2*cosLambda
		sigma = math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinLambda / sinSigma
		cosSqAlpha = 1 - sinAlpha*sinAlpha
		cos2SigmaM = 0
		if cosSqAlpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cosSqAlpha
		}
		C := wgs84F / 16 * cosSqAlpha * (4 + wgs84F*(4-3*cosSqAlpha))
		prev := lambda
		lambda = L + (1-C)*wgs84F*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) <= 1e-12 {
			break
		}
	}
	uSq := cosSqAlpha * (wgs84A*wgs84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
	A := 1 + uSq/16384*(4096+uSq*(-768+uSq*(320-175*uSq)))
	B := uSq / 1024 * (256 + uSq*(-128+uSq*(74-47*uSq)))
	deltaSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
		B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
	dist = wgs84B * A * (sigma - deltaSigma)
	az = math.Atan2(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
	if az < 0 {
		az += 2 * math.Pi
	}
	return dist, az, true
}
