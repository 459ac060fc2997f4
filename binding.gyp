# node-gyp fallback build (CPU only), for machines without cmake: `npm run build:native:gyp`.
# Mirrors CMakeLists.txt: a baseline x86-64 build where only native/isa/* get ISA flags.
{
  "target_defaults": {
    "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-ffp-contract=off", "-fno-math-errno"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
    "include_dirs": ["native"],
  },
  "targets": [
    {
      "target_name": "verinfer_avx2",
      "type": "static_library",
      "sources": ["native/isa/avx2.cpp"],
      "cflags_cc": ["-mavx2", "-mfma", "-mf16c"],
    },
    {
      "target_name": "verinfer_avx512",
      "type": "static_library",
      "sources": ["native/isa/avx512.cpp"],
      "cflags_cc": ["-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-Wno-maybe-uninitialized"],
    },
    {
      "target_name": "verinfer_avx512_vnni",
      "type": "static_library",
      "sources": ["native/isa/avx512_vnni.cpp"],
      "cflags_cc": ["-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni", "-Wno-maybe-uninitialized"],
    },
    {
      "target_name": "verinfer",
      "dependencies": ["verinfer_avx2", "verinfer_avx512", "verinfer_avx512_vnni"],
      "sources": [
        "native/isa/scalar.cpp",
        "<!@(ls -1 native/core/*.cpp native/ops/*.cpp native/crypto/*.cpp native/runtime/*.cpp bindings/*.cpp)",
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "libraries": ["-lpthread"],
    },
  ],
}
