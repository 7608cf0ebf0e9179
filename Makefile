# Thin wrapper; the scripts in hack/ do the work (and install what is missing).
.PHONY: all build install demo test bench clean golden
PREFIX ?= /usr/local
all: build
build:
	./hack/install-deps.sh
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/release -j$$(nproc)
install: build
	cmake --install build/release --prefix "$(PREFIX)"
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
