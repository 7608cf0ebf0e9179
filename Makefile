# Thin wrapper; the scripts in hack/ do the work (and install what is missing).
.PHONY: all build demo test bench clean golden
all: build
build:
	./hack/install-deps.sh
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/release -j$$(nproc)
demo:
	./hack/demo.sh
test:
	./hack/test.sh
bench:
	./hack/bench.sh
golden:
	./hack/golden.sh
clean:
	rm -rf build
