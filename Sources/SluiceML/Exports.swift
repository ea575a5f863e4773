@_exported import SluiceFormats
