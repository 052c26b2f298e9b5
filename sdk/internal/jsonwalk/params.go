package jsonwalk

// Param names a numeric request parameter that a span records (the GenAI
// conventions' gen_ai.request.*).
type Param uint8

// The integer parameters, read with Int.
const (
	ParamMaxTokens Param = iota
	// ParamMaxCompletionTokens is OpenAI's max_completion_tokens (and the
	// Responses API's max_output_tokens): it wins over max_tokens.
	ParamMaxCompletionTokens
	ParamSeed
	ParamChoiceCount

	// firstDouble is the first parameter read with Float.
	firstDouble
)

// The double parameters, read with Float.
const (
	ParamTemperature Param = firstDouble + iota
	ParamTopP
	ParamTopK
	ParamFrequencyPenalty
	ParamPresencePenalty

	// ParamCount is the number of parameters: they are 0 to ParamCount-1.
	ParamCount
)

// IsInt tells an integer parameter, read with Int, from a double one.
func (w Param) IsInt() bool { return w < firstDouble }

// Params are the request's parameters that a span records: the numeric
// ones the request gives with the right JSON type, the output type and
// the stop sequences.
type Params struct {
	// given has bit 1<<p set when the request gives the parameter p.
	given   uint16
	ints    [firstDouble]int64
	doubles [ParamCount - firstDouble]float64

	// OutputType is gen_ai.output.type (vocabulary.OutputType*), "" when
	// the request asks for none the span records.
	OutputType string
	// StopSequences are kept as they are, not copied: they may be shared
	// with other calls (httptap.RecentStrings), so are not to be changed.
	StopSequences []string
}

// ParamSetter records the parameters: *rastir.Span is one.
type ParamSetter interface {
	SetMaxTokens(n int64)
	SetTemperature(t float64)
	SetTopP(p float64)
	SetTopK(k float64)
	SetFrequencyPenalty(p float64)
	SetPresencePenalty(p float64)
	SetSeed(seed int64)
	SetChoiceCount(n int64)
	SetStopSequences(seqs ...string)
	SetOutputType(t string)
}

// Read reads the parameter which from the current value: an integer one
// with Int, a double one with Float. A value of the wrong type leaves the
// parameter unset, so that a later member of the same name replaces an
// earlier one either way.
func (p *Params) Read(it *Iterator, which Param) {
	var ok bool
	switch {
	case which.IsInt():
		p.ints[which], ok = Int(it)
	case which < ParamCount:
		p.doubles[which-firstDouble], ok = Float(it)
	default:
		return
	}
	if ok {
		p.given |= 1 << which
	} else {
		p.given &^= 1 << which
	}
}

// Int is the integer parameter which, and whether the request gives it; a
// double parameter is none.
func (p *Params) Int(which Param) (int64, bool) {
	if !which.IsInt() || !p.has(which) {
		return 0, false
	}
	return p.ints[which], true
}

// Float is the double parameter which, and whether the request gives it;
// an integer parameter is none.
func (p *Params) Float(which Param) (float64, bool) {
	if which.IsInt() || which >= ParamCount || !p.has(which) {
		return 0, false
	}
	return p.doubles[which-firstDouble], true
}

func (p *Params) has(which Param) bool { return p.given&(1<<which) != 0 }

// Record sets the parameters the request gives on s; the output type and
// the stop sequences when there are some. max_completion_tokens wins over
// the deprecated max_tokens when a request gives both.
func (p *Params) Record(s ParamSetter) {
	if n, ok := p.Int(ParamMaxCompletionTokens); ok {
		s.SetMaxTokens(n)
	} else if n, ok := p.Int(ParamMaxTokens); ok {
		s.SetMaxTokens(n)
	}
	if f, ok := p.Float(ParamTemperature); ok {
		s.SetTemperature(f)
	}
	if f, ok := p.Float(ParamTopP); ok {
		s.SetTopP(f)
	}
	if f, ok := p.Float(ParamTopK); ok {
		s.SetTopK(f)
	}
	if f, ok := p.Float(ParamFrequencyPenalty); ok {
		s.SetFrequencyPenalty(f)
	}
	if f, ok := p.Float(ParamPresencePenalty); ok {
		s.SetPresencePenalty(f)
	}
	if n, ok := p.Int(ParamSeed); ok {
		s.SetSeed(n)
	}
	if n, ok := p.Int(ParamChoiceCount); ok {
		s.SetChoiceCount(n)
	}
	if len(p.StopSequences) > 0 {
		s.SetStopSequences(p.StopSequences...)
	}
	if p.OutputType != "" {
		s.SetOutputType(p.OutputType)
	}
}

// SetInt sets the integer parameter which to n: a request's typed value,
// which needs no reading.
func (p *Params) SetInt(which Param, n int64) {
	if which.IsInt() {
		p.ints[which] = n
		p.given |= 1 << which
	}
}

// SetFloat sets the double parameter which to f (see SetInt).
func (p *Params) SetFloat(which Param, f float64) {
	if !which.IsInt() && which < ParamCount {
		p.doubles[which-firstDouble] = f
		p.given |= 1 << which
	}
}
