"""The standard emoji the web client draws (static/js/client/emoji.js's table), by shortcode.

A workspace's custom emoji may not take one of these names: a message or reaction that says
:thumbsup: must mean the same picture to everyone. A test keeps this list and the client's table
the same.
"""

from __future__ import annotations

# fmt: off
STANDARD_EMOJI_NAMES = frozenset({
    "+1", "-1", "100", "airplane", "alarm_clock", "alien", "angry", "apple", "arrow_down", "arrow_left",
    "arrow_right", "arrow_up", "arrows_counterclockwise", "art", "astonished", "avocado", "baby", "bagel",
    "balloon", "ballot_box_with_check", "banana", "bangbang", "bar_chart", "basketball", "bear", "bee", "beer",
    "beers", "bell", "bike", "bird", "birthday", "black_circle", "black_heart", "blue_heart", "blush", "book",
    "bookmark", "books", "boom", "bow", "boy", "brain", "broken_heart", "bug", "bulb", "burrito", "butterfly",
    "cactus", "cake", "calendar", "call_me_hand", "camera", "car", "cat", "champagne", "chart_with_downwards_trend",
    "chart_with_upwards_trend", "checkered_flag", "cherry_blossom", "chicken", "chocolate_bar", "clap", "clipboard",
    "cloud", "clown_face", "coffee", "cold_face", "collision", "computer", "confetti_ball", "confounded",
    "confused", "construction", "construction_worker", "cookie", "cop", "cow", "cowboy_hat_face", "crab",
    "credit_card", "croissant", "crossed_fingers", "crown", "cry", "dancer", "dart", "dash", "date",
    "desktop_computer", "detective", "disappointed", "dizzy_face", "dog", "dollar", "dolphin", "doughnut",
    "earth_africa", "email", "envelope", "evergreen_tree", "exclamation", "exploding_head", "expressionless", "eye",
    "eyes", "face_with_thermometer", "facepalm", "file_folder", "fire", "first_place_medal", "fish", "fist",
    "flushed", "four_leaf_clover", "fox_face", "fries", "frog", "game_die", "gear", "gem", "ghost", "gift", "girl",
    "green_circle", "green_heart", "grey_question", "grimacing", "grin", "grinning", "hamburger", "hammer",
    "hammer_and_wrench", "hand", "handshake", "headphones", "hear_no_evil", "heart", "heart_eyes",
    "heavy_check_mark", "heavy_minus_sign", "heavy_plus_sign", "hospital", "hot_face", "hot_pepper", "hourglass",
    "hourglass_flowing_sand", "house", "hugging_face", "hugs", "hushed", "ice_cream", "inbox_tray", "innocent",
    "iphone", "joy", "key", "keyboard", "kissing_heart", "koala", "large_blue_circle", "laughing", "link",
    "lion_face", "lock", "loudspeaker", "mag", "mage", "man", "man_dancing", "man_facepalming", "man_shrugging",
    "maple_leaf", "mask", "medal", "mega", "memo", "metal", "money_mouth_face", "moneybag", "monkey_face", "moon",
    "mouse", "movie_camera", "muscle", "musical_note", "nauseated_face", "negative_squared_cross_mark", "nerd_face",
    "neutral_face", "ninja", "no_bell", "no_entry", "no_entry_sign", "no_good", "no_mouth", "notes", "ocean",
    "octopus", "office", "ok_hand", "ok_woman", "older_man", "older_woman", "open_hands", "open_mouth",
    "orange_heart", "outbox_tray", "owl", "package", "palm_tree", "panda_face", "paperclip", "partying_face",
    "pencil", "pencil2", "penguin", "pensive", "persevere", "phone", "pig", "pinching_hand", "pizza",
    "pleading_face", "point_down", "point_left", "point_right", "point_up", "poop", "popcorn", "pray", "punch",
    "purple_heart", "pushpin", "question", "rabbit", "rage", "rainbow", "raised_eyebrow", "raised_hand",
    "raised_hands", "raising_hand", "ramen", "red_circle", "relieved", "repeat", "ring", "robot", "robot_face",
    "rocket", "rofl", "roll_eyes", "rose", "rotating_light", "round_pushpin", "runner", "salad", "sandwich",
    "santa", "scientist", "scream", "see_no_evil", "seedling", "ship", "ship_it", "shipit", "shrug", "skull",
    "sleeping", "sleepy", "slightly_frowning_face", "slightly_smiling_face", "smile", "smiley", "smirk", "snail",
    "snake", "sneezing_face", "snowflake", "sob", "soccer", "spaghetti", "sparkles", "sparkling_heart",
    "speak_no_evil", "speech_balloon", "spiral_calendar_pad", "squirrel", "star", "star2", "star_struck",
    "stopwatch", "stuck_out_tongue", "stuck_out_tongue_winking_eye", "sunflower", "sunglasses", "sunny",
    "superhero", "sushi", "sweat", "sweat_drops", "sweat_smile", "taco", "tada", "tea", "teacher", "technologist",
    "tennis", "thinking", "thinking_face", "thought_balloon", "thumbsdown", "thumbsup", "tiger", "tired_face",
    "toolbox", "triangular_flag_on_post", "triumph", "trophy", "tropical_drink", "tulip", "turtle", "two_hearts",
    "umbrella", "unamused", "unicorn_face", "unlock", "upside_down_face", "v", "video_game", "walking", "warning",
    "wave", "wave_skin", "weary", "whale", "white_check_mark", "white_circle", "white_flag", "wine_glass", "wink",
    "woman", "woman_facepalming", "woman_shrugging", "worried", "wrench", "writing_hand", "x", "yawning_face",
    "yellow_circle", "yellow_heart", "yum", "zany_face", "zap", "zipper_mouth_face", "zombie", "zzz",
})
# fmt: on
