// Supplies std::ios_base_library_init() for hosts whose libstdc++ predates GCC 13.
//
// TorchSharp's native bridge is linked against GCC 13's libstdc++, which exports this one function under the
// version node GLIBCXX_3.4.32. Older libstdc++ builds (GCC 12, Debian 12) lack it. The build marks that version
// requirement weak in libLibTorchSharp.so and this library, loaded globally before TorchSharp, provides the symbol.
// Its only job in GCC 13 is to make sure the standard streams are initialised, which constructing an
// ios_base::Init object does on every libstdc++ version.
#include <ios>

namespace std {
void ios_base_library_init();
void ios_base_library_init() {
    static ios_base::Init streams_initialised;
    (void)streams_initialised;
}
}  // namespace std
