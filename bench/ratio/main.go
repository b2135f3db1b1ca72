// Command ratio prints ratio tables from `go test -bench` output.
//
// Benchmarks are grouped by their name without the last path element
// (the variant); within each group every variant is compared with the
// baseline variant named by -base. Samples are matched in order: the i-th
// result of a variant is compared with the i-th result of the baseline, so
// when the output comes from interleaved rounds (one process run measuring
// every variant once, repeated), each ratio is taken within one round.
//
//	go run ./bench/ratio -base raw-pgx -match RealPG round-*.txt
//
// Columns: rounds (samples), median ns/op and its min–max, median B/op and
// allocs/op, the ratio of the medians to the baseline's, and the median
// (min–max) of the per-round ratios.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type sample struct{ ns, bytes, allocs float64 }

var procSuffix = regexp.MustCompile(`-\d+$`)

func main() {
	base := flag.String("base", "", "baseline variant (the last element of the benchmark name)")
	match := flag.String("match", "", "only benchmarks whose name matches this regexp")
	title := flag.String("title", "", "table title")
	metric := flag.String("metric", "ns/op", "the time metric compared: ns/op (wall) or cpu-ns/op")
	flag.Parse()
	re, err := regexp.Compile(*match)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratio:", err)
		os.Exit(2)
	}
	data := map[string][]sample{}
	var order []string
	read := func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
				continue
			}
			name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
			if !re.MatchString(name) {
				continue
			}
			var s sample
			s.ns = -1
			for i := 2; i+1 < len(f); i += 2 {
				v, _ := strconv.ParseFloat(f[i], 64)
				switch f[i+1] {
				case *metric:
					s.ns = v
				case "B/op":
					s.bytes = v
				case "allocs/op":
					s.allocs = v
				}
			}
			if s.ns < 0 {
				continue
			}
			if _, ok := data[name]; !ok {
				order = append(order, name)
			}
			data[name] = append(data[name], s)
		}
	}
	if flag.NArg() == 0 {
		read(os.Stdin)
	}
	for _, p := range flag.Args() {
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ratio:", err)
			os.Exit(1)
		}
		read(f)
		f.Close()
	}
	if len(order) == 0 {
		fmt.Println("(no results)")
		return
	}
	if *title != "" {
		fmt.Printf("\n### %s\n\n", *title)
	}
	fmt.Printf("| benchmark | variant | rounds | %[1]s median | %[1]s min–max | B/op | allocs/op | × base (medians) | × base per round: median (min–max) |\n", *metric)
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, name := range order {
		group, variant := split(name)
		ss := data[name]
		ns := col(ss, func(s sample) float64 { return s.ns })
		ratio, perRound := "", ""
		if bs, ok := data[group+"/"+*base]; ok && *base != "" {
			bns := col(bs, func(s sample) float64 { return s.ns })
			ratio = fmt.Sprintf("%.3f", median(ns)/median(bns))
			var rs []float64
			for i := 0; i < len(ns) && i < len(bns); i++ {
				rs = append(rs, ns[i]/bns[i])
			}
			perRound = fmt.Sprintf("%.3f (%.3f–%.3f)", median(rs), slices.Min(rs), slices.Max(rs))
		}
		fmt.Printf("| %s | %s | %d | %s | %s–%s | %.0f | %.0f | %s | %s |\n", group, variant, len(ss),
			human(median(ns)), human(slices.Min(ns)), human(slices.Max(ns)),
			median(col(ss, func(s sample) float64 { return s.bytes })),
			median(col(ss, func(s sample) float64 { return s.allocs })), ratio, perRound)
	}
}

func split(name string) (group, variant string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

func col(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func human(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.1f ns", ns)
	}
}
