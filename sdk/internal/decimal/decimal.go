// Package decimal converts the float32 values of typed model requests
// (Gemini's and Bedrock's temperatures, top_p, ...) for attributes.
package decimal

import "strconv"

// Float32 is the float64 of f's shortest decimal form: a temperature of 0.7
// given as a float32 is recorded 0.7, not 0.699999988079071, which is what
// the caller wrote and what the provider's JSON carries.
func Float32(f float32) float64 {
	var buf [24]byte
	v, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)), 64)
	if err != nil {
		return float64(f)
	}
	return v
}
