"""The gallery: images from content/, safe decoding, thumbnails, and their markup."""
