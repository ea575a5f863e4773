/// A raw input column as the transform reads it: Float32 values (NaN =
/// missing) or dictionary codes (-1 = missing) with their dictionary. The
/// memory belongs to the caller and must outlive the call it is passed to.
public enum RawColumn {
    case numeric(UnsafeBufferPointer<Float>)
    case categorical(codes: UnsafeBufferPointer<Int32>, dictionary: [String])
}
