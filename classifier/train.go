package classifier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// TrainOptions configures Train.
type TrainOptions struct {
	Features FeatureConfig
	// Epochs over the training split (default 10).
	Epochs int
	// LearningRate is the initial SGD step; it decays linearly to zero, as
	// in fastText (default 0.5).
	LearningRate float64
	// Seed fixes the example order.
	Seed uint64
	// Info is stored in the model; Train fills in the counts and time.
	Info Info
	// Progress, when set, is called with the number of examples processed
	// so far and the total, now and then.
	Progress func(done, total int)
}

// Train fits a model on the Train split of examples, then calibrates its
// scores and chooses each label's threshold on the post-level examples of
// the Calib split. The same examples and options give the same weights.
//
// Weak examples (labels given per account, not per post) are weighed in
// two stages: a first model is trained without them and scores each one;
// the example then trains at its weight times the first model's highest
// calibrated harmful score among its own labels, never below its
// WeakFloor. A pro-ISIS account's war news, retweets and chatter, which
// a model that learnt from tweet-level labels does not see as propaganda,
// thus teach the label little, and its slogans and calls teach it fully.
func Train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, error) {
	start := time.Now()
	var clean []Example
	weak := 0
	for _, e := range examples {
		if e.Weak && e.Split == SplitTrain {
			weak++
			continue
		}
		clean = append(clean, e)
	}
	if weak == 0 {
		return train(ctx, examples, opts, start)
	}
	first, err := train(ctx, clean, opts, start)
	if err != nil {
		return nil, fmt.Errorf("first stage (without weak labels): %w", err)
	}
	reweighed := make([]Example, len(examples))
	copy(reweighed, examples)
	var x extractor
	var sum float64
	for i := range reweighed {
		e := &reweighed[i]
		if !e.Weak || e.Split != SplitTrain {
			continue
		}
		p := first.rawScores(&x, e.Text)
		agree := 0.0
		for _, l := range e.Labels {
			if l.Harmful() {
				agree = math.Max(agree, p[l.Index()])
			}
		}
		w := e.Weight
		if w == 0 {
			w = 1
		}
		e.Weight = w * math.Max(e.WeakFloor, agree)
		sum += e.Weight / w
	}
	m, err := train(ctx, reweighed, opts, start)
	if err != nil {
		return nil, err
	}
	m.info.WeakExamples = weak
	m.info.WeakMeanWeight = math.Round(sum/float64(weak)*1000) / 1000
	return m, nil
}

func train(ctx context.Context, examples []Example, opts TrainOptions, start time.Time) (*Model, error) {
	if opts.Features == (FeatureConfig{}) {
		opts.Features = DefaultFeatures
	}
	if opts.Epochs <= 0 {
		opts.Epochs = 10
	}
	if opts.LearningRate <= 0 {
		opts.LearningRate = 0.5
	}
	m, err := newModel(opts.Features, opts.Info)
	if err != nil {
		return nil, err
	}
	var train, calib []int
	test := 0
	for i, e := range examples {
		switch e.Split {
		case SplitTrain:
			train = append(train, i)
		case SplitCalib:
			// Account-level labels are too noisy to place thresholds with.
			if !e.AccountLevel {
				calib = append(calib, i)
			}
		case SplitTest:
			test++
		}
	}
	if len(train) == 0 {
		return nil, errors.New("no training examples")
	}

	// Hash every training text once.
	var x extractor
	feats := make([]uint32, 0, len(train)*64)
	offs := make([]int, 0, len(train)+1)
	gold := make([]labelSet, len(train))
	weight := make([]float32, len(train))
	var pos [NumLabels]float64
	var total float64
	for k, i := range train {
		offs = append(offs, len(feats))
		for _, f := range x.extract(examples[i].Text, m.cfg) {
			feats = append(feats, f.bucket)
		}
		gold[k] = setOf(examples[i].Labels).withNone()
		weight[k] = float32(examples[i].Weight)
		if weight[k] == 0 {
			weight[k] = 1
		}
		for li := range Labels {
			if gold[k].has(li) {
				pos[li] += float64(weight[k])
			}
		}
		total += float64(weight[k])
	}
	offs = append(offs, len(feats))

	// Rare labels get heavier positives so that the logistic loss does not
	// settle on "never"; calibration undoes the bias this adds.
	var posW [NumLabels]float32
	for li := range posW {
		posW[li] = 1
		if pos[li] > 0 {
			posW[li] = float32(math.Min(10, math.Max(1, math.Sqrt((total-pos[li])/pos[li]))))
		}
	}

	rng := rand.New(rand.NewPCG(opts.Seed, 0x6d61727361640a))
	order := make([]int, len(train))
	for i := range order {
		order[i] = i
	}
	steps := opts.Epochs * len(train)
	step := 0
	for epoch := 0; epoch < opts.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			if step%2048 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if opts.Progress != nil {
					opts.Progress(step, steps)
				}
			}
			lr := float32(opts.LearningRate * (1 - float64(step)/float64(steps)))
			step++
			fs := feats[offs[k]:offs[k+1]]
			if len(fs) == 0 {
				continue
			}
			scale := featScale(len(fs))
			z := m.bias
			for _, b := range fs {
				row := m.w[int(b)*NumLabels : int(b)*NumLabels+NumLabels]
				for li := range z {
					z[li] += row[li] * scale
				}
			}
			var g [NumLabels]float32
			for li := range g {
				p := float32(sigmoid(float64(z[li])))
				y, cw := float32(0), float32(1)
				if gold[k].has(li) {
					y, cw = 1, posW[li]
				}
				g[li] = lr * (p - y) * cw * weight[k]
				m.bias[li] -= g[li] * 0.1
			}
			for _, b := range fs {
				row := m.w[int(b)*NumLabels : int(b)*NumLabels+NumLabels]
				for li := range row {
					row[li] -= g[li] * scale
				}
			}
		}
	}
	if opts.Progress != nil {
		opts.Progress(steps, steps)
	}

	if err := m.calibrate(examples, calib); err != nil {
		return nil, err
	}
	m.info.Epochs = opts.Epochs
	m.info.Seed = opts.Seed
	m.info.TrainSeconds = math.Round(time.Since(start).Seconds()*10) / 10
	m.info.Examples = map[string]int{"train": len(train), "calib": len(calib), "test": test}
	return m, nil
}

// calibrate fits Platt scaling per label on the calibration examples and
// then picks each label's threshold there.
func (m *Model) calibrate(examples []Example, calib []int) error {
	if len(calib) == 0 {
		return nil
	}
	var x extractor
	zs := make([][NumLabels]float32, len(calib))
	gold := make([]labelSet, len(calib))
	scr := make([]script, len(calib))
	for k, i := range calib {
		zs[k] = m.logits(x.extract(examples[i].Text, m.cfg))
		scr[k] = x.script
		gold[k] = setOf(examples[i].Labels).withNone()
	}
	// Each label is fitted on every calibration example, then again on
	// each script's own where they hold enough positives.
	fit := func(li int, sel func(k int) bool) ([2]float32, bool) {
		var z []float64
		var y []bool
		npos := 0
		for k := range calib {
			if !sel(k) {
				continue
			}
			z = append(z, float64(zs[k][li]))
			y = append(y, gold[k].has(li))
			if gold[k].has(li) {
				npos++
			}
		}
		if npos < MinCalibPositives || npos == len(z) {
			return [2]float32{}, false // too few to fit
		}
		a, b := platt(z, y)
		if a <= 0 {
			return [2]float32{}, false // the scores do not rank this label on held-out data
		}
		return [2]float32{float32(a), float32(b)}, true
	}
	// Harmful labels, which flag posts, are calibrated and given their
	// thresholds on real posts only; the protective labels, which only
	// lower harmful scores, may use the written sets too: for some
	// languages they are all there is.
	usable := func(li, k int) bool { return !Labels[li].Harmful() || !examples[calib[k]].Written }
	for li := range Labels {
		all, ok := fit(li, func(k int) bool { return usable(li, k) })
		if !ok {
			continue // keep the identity
		}
		for sc := range script(numScripts) {
			m.platt[sc][li] = all
			if own, ok := fit(li, func(k int) bool { return usable(li, k) && scr[k] == sc }); ok {
				m.platt[sc][li] = own
			}
		}
	}
	// Thresholds on the final scores (rules included), maximising F1.
	scores := make([][NumLabels]float64, len(calib))
	for k, i := range calib {
		scores[k] = m.rawScores(&x, examples[i].Text)
	}
	for li, l := range Labels {
		var s []float64
		var y []bool
		for k := range calib {
			if usable(li, k) {
				s = append(s, scores[k][li])
				y = append(y, gold[k].has(li))
			}
		}
		m.thresholds[li] = bestThreshold(s, y, l.Harmful())
	}
	return nil
}

// MinHarmfulThreshold keeps thresholds of harmful labels from dropping to
// where they would flag much protective text.
const MinHarmfulThreshold = 0.1

// MinCalibPositives is the number of calibration positives below which a
// label keeps the threshold 0.5: fewer cannot place a threshold reliably.
const MinCalibPositives = 25

// thresholdTolerance is the F1 within which thresholds count as equally
// good: on a few dozen calibration positives one more or one fewer hit
// moves F1 by about this much. bestThreshold takes the middle of the
// thresholds that are that close to the best, so that a small change in
// the data does not move it from one end of a flat F1 curve to the other.
const thresholdTolerance = 0.02

func bestThreshold(s []float64, y []bool, harmful bool) float64 {
	npos := 0
	for _, v := range y {
		if v {
			npos++
		}
	}
	if npos < MinCalibPositives {
		return 0.5
	}
	var f1 [96]float64
	bestF := -1.0
	for k := 5; k <= 95; k++ {
		t := float64(k) / 100
		var tp, fp int
		for k := range s {
			if s[k] >= t {
				if y[k] {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp > 0 {
			f1[k] = 2 * float64(tp) / float64(2*tp+fp+(npos-tp))
		}
		bestF = math.Max(bestF, f1[k])
	}
	var near []int
	for k := 5; k <= 95; k++ {
		if f1[k] >= bestF-thresholdTolerance {
			near = append(near, k)
		}
	}
	best := float64(near[len(near)/2]) / 100
	if harmful && best < MinHarmfulThreshold {
		best = MinHarmfulThreshold
	}
	return math.Round(best*100) / 100
}

// platt fits p = sigmoid(a*z + b) to labels y by Newton's method with
// Platt's smoothed targets (Lin, Lin and Weng 2007).
func platt(z []float64, y []bool) (a, b float64) {
	var np, nn float64
	for _, v := range y {
		if v {
			np++
		} else {
			nn++
		}
	}
	hiT, loT := (np+1)/(np+2), 1/(nn+2)
	a, b = 1, 0 // start from the identity
	loss := func(a, b float64) float64 {
		var l float64
		for i := range z {
			t := loT
			if y[i] {
				t = hiT
			}
			f := a*z[i] + b
			// log(1+exp(f)) - t*f, computed stably
			if f >= 0 {
				l += (1-t)*f + math.Log1p(math.Exp(-f))
			} else {
				l += -t*f + math.Log1p(math.Exp(f))
			}
		}
		return l
	}
	cur := loss(a, b)
	for it := 0; it < 100; it++ {
		var h11, h22, h21, g1, g2 float64 = 1e-12, 1e-12, 0, 0, 0
		for i := range z {
			t := loT
			if y[i] {
				t = hiT
			}
			p := sigmoid(a*z[i] + b)
			d1 := p - t
			d2 := p * (1 - p)
			h11 += z[i] * z[i] * d2
			h22 += d2
			h21 += z[i] * d2
			g1 += z[i] * d1
			g2 += d1
		}
		if math.Abs(g1) < 1e-6 && math.Abs(g2) < 1e-6 {
			break
		}
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		step := 1.0
		for step > 1e-8 {
			na, nb := a+step*da, b+step*db
			if nl := loss(na, nb); nl < cur+1e-4*step*(g1*da+g2*db) {
				a, b, cur = na, nb, nl
				break
			}
			step /= 2
		}
		if step <= 1e-8 {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return 1, 0
	}
	return a, b
}
