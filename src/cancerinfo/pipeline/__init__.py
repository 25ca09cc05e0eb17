"""What runs the KB through the store into the index, above all three.

The folders read in the pipeline's order: ``kb/`` reads and checks the files, ``store/``
keeps pages and their versions (and knows nothing of how they are searched), ``index/``
cuts, embeds and searches them. This package runs them in that order:

* :mod:`.ingest`: KB files → store → chunks, vectors, vocabulary and BM25 postings;
* :mod:`.vocabulary`: the KB vocabulary mined from the pages in the store;
* :mod:`.verify`: ``cancerinfo verify``, the store's own checks and the index's.
"""
