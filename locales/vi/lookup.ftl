# Tra cứu hồ sơ bằng mã và theo dõi hồ sơ không cần tài khoản.
lookup-format =
    Mã hồ sơ chưa đúng dạng. Mã hồ sơ gồm ba phần nối bằng dấu gạch ngang: mã cơ quan tiếp nhận, ngày tiếp nhận (năm, tháng, ngày — 6 chữ số) và số thứ tự trong ngày (4 chữ số).
    Ví dụ: 000.00.25.H50-261125-0001
lookup-more-button = Xem thêm (4 số cuối CCCD)
lookup-ask-last4 = Để xem lịch sử và nội dung đang chờ của hồ sơ { $code }, vui lòng nhập 4 số cuối số CCCD của người nộp hồ sơ:
lookup-last4-format = Vui lòng nhập đúng 4 chữ số cuối của số CCCD, ví dụ 1234.
lookup-last4-wrong = 4 số cuối CCCD chưa đúng. Vui lòng kiểm tra và nhập lại, hoặc gõ /cancel để thoát.
lookup-too-many = Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau { $time }.
lookup-status = Trạng thái: { $status }
lookup-pending-reason = Lý do: { $reason }
lookup-pending-amount = Số tiền: { $amount }
lookup-pending-deadline = Hạn: { $deadline }
lookup-history = <b>Quá trình xử lý</b>
lookup-history-entry = { $at } — { $status }
follow-button = Theo dõi hồ sơ này
follow-ask-code = Nhập mã hồ sơ bạn muốn theo dõi, ví dụ 000.00.25.H50-261125-0001:
follow-ask-last4 = Để theo dõi hồ sơ { $code }, vui lòng nhập 4 số cuối số CCCD của người nộp hồ sơ:
follow-done = Đã theo dõi hồ sơ { $code }. Bạn sẽ nhận tin nhắn khi hồ sơ đổi trạng thái (không kèm thông tin cá nhân). Gõ /unfollow để thôi theo dõi.
follow-already = Bạn đang theo dõi hồ sơ { $code }.
follow-too-many = Bạn đang theo dõi { $max } hồ sơ, là số tối đa. Gõ /unfollow để thôi theo dõi bớt.
follow-none = Bạn chưa theo dõi hồ sơ nào. Gõ /follow và mã hồ sơ để theo dõi.
follow-list = <b>Hồ sơ đang theo dõi</b> ({ $count })
follow-list-hint = Gõ /unfollow để thôi theo dõi.
unfollow-choose = Chọn hồ sơ muốn thôi theo dõi:
unfollow-done = Đã thôi theo dõi hồ sơ { $code }.
unfollow-not-followed = Bạn không theo dõi hồ sơ { $code }.
cmd-follow = Theo dõi hồ sơ theo mã
cmd-unfollow = Thôi theo dõi hồ sơ
hint-last4 = Vui lòng nhập 4 số cuối số CCCD của người nộp hồ sơ, hoặc gõ /cancel để thoát.
