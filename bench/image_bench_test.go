package bench

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stowaway-dev/stowaway/image"
)

var imageMB = flag.Int("image.mb", 1024, "uncompressed size of the generated image, in MB")

// BenchmarkImage reads a generated image (many small files, a few large
// ones) with the image check and, beside it, decompresses the same layer
// blobs with gzip -dc, the floor of any reader of the image. It reports
// both in MB/s of uncompressed layers, their ratio, and the peak heap of the
// check (flat in the image's size: run with -image.mb at two sizes).
func BenchmarkImage(b *testing.B) {
	dir := b.TempDir()
	st, err := WriteImage(dir, ImageOptions{Bytes: int64(*imageMB) << 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exec.LookPath("gzip"); err != nil {
		b.Skip("no gzip for the baseline")
	}
	b.ResetTimer()
	var ours, floor time.Duration
	var peak uint64
	for b.Loop() {
		start := time.Now()
		for _, blob := range st.Blobs {
			cmd := exec.Command("sh", "-c", `gzip -dc "$1" >/dev/null`, "sh", blob)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		floor += time.Since(start)

		runtime.GC()
		stop := sampleHeap(&peak)
		start = time.Now()
		res, err := image.Check(context.Background(), dir, image.Options{})
		ours += time.Since(start)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 {
			b.Fatalf("problems: %+v", res.Problems)
		}
	}
	mb := float64(st.Uncompressed) / 1e6 * float64(b.N)
	b.ReportMetric(mb/ours.Seconds(), "MB/s")
	b.ReportMetric(mb/floor.Seconds(), "gzip-MB/s")
	b.ReportMetric(ours.Seconds()/floor.Seconds(), "x-gzip")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(st.Uncompressed)/1e6, "image-MB")
	b.ReportMetric(float64(st.Files), "files")
}

// sampleHeap records the largest heap in use until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
