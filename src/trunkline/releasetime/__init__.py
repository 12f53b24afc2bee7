"""Release time: ``trunkline release new`` (a new stable release branched from a promoted repo).

``promoted`` reads which commits a promoted repo holds, ``remote`` asks and changes
remote git repositories, ``plan`` decides every step and whether it is already done,
``metaedit`` writes the metadata part through the metadata editor, ``newconfig`` the
new builder's config, and ``apply`` carries the plan out, step by step, resumably.
"""
